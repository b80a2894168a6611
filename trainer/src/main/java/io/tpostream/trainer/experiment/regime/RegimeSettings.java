package io.tpostream.trainer.experiment.regime;

import io.tpostream.trainer.eval.SyntheticPairs;

/**
 * The knobs of the pair regimes.
 *
 * @param questionShare      share of half the pairs that are yes/no answers (the same answer pairs in every regime)
 * @param wrongAttributeRate share of the written rejected captions that miscolour an object instead of adding one
 * @param samples            on-policy captions sampled per scene (k)
 * @param temperature        sampling temperature of the on-policy captions
 * @param flipShare          share of the preferences flipped in the noisy regime
 */
public record RegimeSettings(double questionShare, double wrongAttributeRate, int samples, double temperature,
                             double flipShare) {

    public static final int DEFAULT_SAMPLES = 4;
    public static final double DEFAULT_TEMPERATURE = 1.0;
    public static final double DEFAULT_FLIP_SHARE = 0.2;

    public RegimeSettings {
        if (!(questionShare >= 0 && questionShare <= 1)) {
            throw new IllegalArgumentException("question share must be in [0, 1]: " + questionShare);
        }
        if (samples < 2 || !(temperature > 0)) {
            throw new IllegalArgumentException("on-policy sampling needs k >= 2 and a temperature above 0");
        }
        PreferenceFlips.flippedCount(0, flipShare);
    }

    public static RegimeSettings defaults(double questionShare) {
        return new RegimeSettings(questionShare, SyntheticPairs.DEFAULT_WRONG_ATTRIBUTE_RATE, DEFAULT_SAMPLES,
                DEFAULT_TEMPERATURE, DEFAULT_FLIP_SHARE);
    }
}
