package io.tpostream.trainer.experiment.regime;

import io.tpostream.trainer.eval.Seeds;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Rater error: exactly {@code round(share * n)} of the pairs, picked by a seeded permutation, with chosen and
 * rejected swapped. An exact count rather than a coin per pair, so every seed carries the same amount of noise.
 */
public final class PreferenceFlips {

    private PreferenceFlips() {
    }

    public static int flippedCount(int pairs, double share) {
        if (!(share >= 0 && share <= 1)) {
            throw new IllegalArgumentException("the flipped share must be in [0, 1]: " + share);
        }
        return (int) Math.round(share * pairs);
    }

    public static List<ScenePair> flip(List<ScenePair> pairs, double share, long seed) {
        int flips = flippedCount(pairs.size(), share);
        List<Integer> indices = new ArrayList<>();
        for (int i = 0; i < pairs.size(); i++) {
            indices.add(i);
        }
        List<Integer> order = Seeds.shuffled(indices, new SplittableRandom(seed));
        List<ScenePair> out = new ArrayList<>(pairs);
        for (int k = 0; k < flips; k++) {
            int i = order.get(k);
            out.set(i, pairs.get(i).flipped());
        }
        return out;
    }
}
