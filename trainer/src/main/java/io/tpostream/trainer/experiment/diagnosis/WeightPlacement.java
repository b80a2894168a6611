package io.tpostream.trainer.experiment.diagnosis;

import io.tpostream.trainer.eval.Scene;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where TPO's token weights land: the mean visual-anchored score s and the mean weight c (chosen
 * {@code sigmoid(s) + a}, rejected {@code 1 - sigmoid(s) + a}) of each {@link TokenGroup} on each side of the
 * pairs. A method that targets hallucination should give the hallucinated words of rejected captions the largest
 * rejected weights and the true object words of chosen captions the largest chosen weights. Accumulates; not
 * thread-safe.
 */
public final class WeightPlacement {

    private final double offset;
    private final long[][] counts = new long[2][TokenGroup.values().length];
    private final double[][] scoreSums = new double[2][TokenGroup.values().length];
    private final double[][] weightSums = new double[2][TokenGroup.values().length];

    /** @param offset a, the floor of every weight */
    public WeightPlacement(double offset) {
        this.offset = offset;
    }

    /** The tokens and scores of one response of a pair about {@code scene}. */
    public WeightPlacement add(List<String> tokens, float[] scores, Scene scene, boolean chosen) {
        if (tokens.size() != scores.length) {
            throw new IllegalArgumentException(tokens.size() + " tokens but " + scores.length + " scores");
        }
        TokenGroup[] groups = TokenGroup.of(tokens, scene);
        int side = chosen ? 0 : 1;
        for (int i = 0; i < scores.length; i++) {
            double sigma = 1 / (1 + Math.exp(-scores[i]));
            int g = groups[i].ordinal();
            counts[side][g]++;
            scoreSums[side][g] += scores[i];
            weightSums[side][g] += (chosen ? sigma : 1 - sigma) + offset;
        }
        return this;
    }

    /**
     * "chosen/true/s", "chosen/true/c", "chosen/true/n", ... for every side and group that has tokens, each name
     * followed by {@code suffix}.
     */
    public Map<String, Double> values(String suffix) {
        Map<String, Double> out = new LinkedHashMap<>();
        for (int side = 0; side < 2; side++) {
            for (TokenGroup g : TokenGroup.values()) {
                long n = counts[side][g.ordinal()];
                if (n == 0) {
                    continue;
                }
                String key = (side == 0 ? "chosen/" : "rejected/") + g.label() + "/";
                out.put(key + "s" + suffix, scoreSums[side][g.ordinal()] / n);
                out.put(key + "c" + suffix, weightSums[side][g.ordinal()] / n);
                out.put(key + "n" + suffix, (double) n);
            }
        }
        return out;
    }
}
