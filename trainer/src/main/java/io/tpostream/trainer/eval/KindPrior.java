package io.tpostream.trainer.eval;

/**
 * How likely each kind is to be drawn before co-occurrence is applied. The training distribution is skewed (like
 * object frequencies in real captioning data) so that POPE's "popular" probes ask about kinds the model has seen
 * much more often; the unbiased distribution is uniform.
 *
 * <p>A TRAIN weight is colour weight × shape weight; the factors were chosen so that no two kinds tie, which keeps
 * the popularity ranking free of arbitrary tie-breaks. The most popular kind is 3.7 times as likely as the least.
 */
public final class KindPrior {

    // indexed by Colour.ordinal(): red, green, blue, yellow, purple, orange
    private static final double[] COLOUR_WEIGHT = {1.0, 0.8, 0.9, 0.7, 0.5, 0.6};
    // indexed by Shape.ordinal(): circle, square, triangle, cross
    private static final double[] SHAPE_WEIGHT = {1.0, 0.82, 0.66, 0.54};

    private KindPrior() {
    }

    public static double weight(ObjectKind kind, BiasMode mode) {
        return switch (mode) {
            case TRAIN -> COLOUR_WEIGHT[kind.colour().ordinal()] * SHAPE_WEIGHT[kind.shape().ordinal()];
            case NONE -> 1.0;
        };
    }

    /** Weights of all kinds, indexed by {@link ObjectKind#index()}. */
    public static double[] weights(BiasMode mode) {
        double[] w = new double[ObjectKind.COUNT];
        for (ObjectKind k : ObjectKind.ALL) {
            w[k.index()] = weight(k, mode);
        }
        return w;
    }
}
