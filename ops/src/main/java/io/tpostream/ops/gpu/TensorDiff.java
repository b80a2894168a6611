package io.tpostream.ops.gpu;

/**
 * How far one tensor computed on a device is from the same tensor computed on the reference device.
 *
 * @param elements      values compared
 * @param maxAbsError   max |actual - expected|
 * @param relativeError ||actual - expected|| / ||expected|| (L2 norms): 0 when both are zero, infinite when only
 *                      the expected tensor is; NaN when any value is NaN. Element-wise relative errors would blow up
 *                      on the many near-zero gradient entries, the norm ratio does not.
 */
public record TensorDiff(long elements, double maxAbsError, double relativeError) {

    public static TensorDiff of(float[] expected, float[] actual) {
        if (expected.length != actual.length) {
            throw new IllegalArgumentException("sizes differ: " + expected.length + " vs " + actual.length);
        }
        double maxAbs = 0;
        double diffSquares = 0;
        double expectedSquares = 0;
        for (int i = 0; i < expected.length; i++) {
            double d = (double) actual[i] - expected[i];
            if (Double.isNaN(d)) {
                return new TensorDiff(expected.length, Double.NaN, Double.NaN);
            }
            maxAbs = Math.max(maxAbs, Math.abs(d));
            diffSquares += d * d;
            expectedSquares += (double) expected[i] * expected[i];
        }
        double relative = diffSquares == 0 ? 0 : Math.sqrt(diffSquares) / Math.sqrt(expectedSquares);
        return new TensorDiff(expected.length, maxAbs, relative);
    }

    public static TensorDiff ofScalar(double expected, double actual) {
        double d = Math.abs(actual - expected);
        return new TensorDiff(1, d, d == 0 ? 0 : d / Math.abs(expected));
    }

    /** False for NaN. */
    public boolean within(double relativeTolerance) {
        return relativeError <= relativeTolerance;
    }
}
