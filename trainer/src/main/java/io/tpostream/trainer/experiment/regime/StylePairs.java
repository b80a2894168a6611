package io.tpostream.trainer.experiment.regime;

import io.tpostream.trainer.eval.CaptionOpening;
import io.tpostream.trainer.eval.SceneWorld;
import io.tpostream.trainer.eval.Seeds;
import io.tpostream.trainer.eval.SyntheticPair;
import io.tpostream.trainer.eval.SyntheticPairs;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Minimal pairs (true caption against one hallucinated or miscoloured object) where one side also opens with a
 * phrase that says nothing about the image ("there is", "the image is"): the chosen side for even indices, the
 * rejected side for odd ones, so exactly half of the pairs go each way. The opening is a longer, stylistically
 * different response whose extra tokens carry no visual content; a sequence-level objective spends its margin on
 * them as much as on the hallucinated word.
 */
public final class StylePairs {

    private static final long STREAM = 42;

    private StylePairs() {
    }

    public static List<ScenePair> generate(SceneWorld world, long seed, int n, double wrongAttributeRate) {
        List<ScenePair> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(pair(world, seed, i, wrongAttributeRate));
        }
        return out;
    }

    /** Whether pair {@code index} carries the opening on its chosen side (even) or its rejected side (odd). */
    public static boolean openingOnChosen(long index) {
        return index % 2 == 0;
    }

    public static ScenePair pair(SceneWorld world, long seed, long index, double wrongAttributeRate) {
        SyntheticPair minimal = SyntheticPairs.pair(world, seed, index, wrongAttributeRate);
        SplittableRandom rng = Seeds.random(seed, index, STREAM);
        CaptionOpening opening = rng.nextBoolean() ? CaptionOpening.THERE_IS : CaptionOpening.THE_IMAGE_IS;
        boolean onChosen = openingOnChosen(index);
        String chosen = onChosen ? opening.words() + " " + minimal.chosen() : minimal.chosen();
        String rejected = onChosen ? minimal.rejected() : opening.words() + " " + minimal.rejected();
        return new ScenePair(minimal.scene(), minimal.image(), minimal.prompt(), chosen, rejected);
    }
}
