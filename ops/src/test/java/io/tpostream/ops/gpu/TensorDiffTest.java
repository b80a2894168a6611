package io.tpostream.ops.gpu;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TensorDiffTest {

    @Test
    void normRatioAndLargestAbsoluteError() {
        // difference (0, 0.3, -0.4): norm 0.5; expected (3, 0, 4): norm 5
        TensorDiff d = TensorDiff.of(new float[] {3, 0, 4}, new float[] {3, 0.3f, 3.6f});
        assertEquals(3, d.elements());
        assertEquals(0.4, d.maxAbsError(), 1e-6);
        assertEquals(0.1, d.relativeError(), 1e-6);
        assertTrue(d.within(0.1 + 1e-6));
        assertFalse(d.within(0.09));
    }

    @Test
    void identicalTensorsAgreeExactlyEvenWhenZero() {
        assertEquals(new TensorDiff(2, 0, 0), TensorDiff.of(new float[] {0, 0}, new float[] {0, 0}));
        assertEquals(new TensorDiff(2, 0, 0), TensorDiff.of(new float[] {1, -2}, new float[] {1, -2}));
    }

    @Test
    void aGradientWhereTheReferenceHasNoneIsInfinitelyWrong() {
        TensorDiff d = TensorDiff.of(new float[] {0, 0}, new float[] {0, 1e-3f});
        assertEquals(Double.POSITIVE_INFINITY, d.relativeError());
        assertFalse(d.within(1e-3));
    }

    @Test
    void nanNeverPasses() {
        assertFalse(TensorDiff.of(new float[] {1, 2}, new float[] {1, Float.NaN}).within(1));
        assertFalse(TensorDiff.ofScalar(0.69, Double.NaN).within(1));
    }

    @Test
    void scalarsCompareRelatively() {
        TensorDiff d = TensorDiff.ofScalar(2.0, 2.001);
        assertEquals(1, d.elements());
        assertEquals(0.001, d.maxAbsError(), 1e-12);
        assertEquals(0.0005, d.relativeError(), 1e-12);
    }

    @Test
    void sizesMustMatch() {
        assertThrows(IllegalArgumentException.class, () -> TensorDiff.of(new float[2], new float[3]));
    }
}
