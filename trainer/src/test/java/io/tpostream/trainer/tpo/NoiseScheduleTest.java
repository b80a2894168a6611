package io.tpostream.trainer.tpo;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NoiseScheduleTest {

    /**
     * The constants printed in the method note (computed there with PyTorch in float32). 1e-7 is under two
     * float32 ulps near 1: a float32 cumprod accumulator (off by 1.8e-7 and 1e-6 at k = 250) would fail it.
     */
    @ParameterizedTest
    @CsvSource({
            "0,   0.999988794, 0.00472776",
            "250, 0.989133835, 0.147018075",
            "500, 0.863017201, 0.505174518",
            "750, 0.527009726, 0.849859238",
            "999, 0.285042524, 0.958514869"})
    void matchesTheMethodNoteConstants(int k, double sqrtAlphaBar, double sqrtOneMinusAlphaBar) {
        assertEquals(sqrtAlphaBar, NoiseSchedule.sqrtAlphaBar(k), 1e-7);
        assertEquals(sqrtOneMinusAlphaBar, NoiseSchedule.sqrtOneMinusAlphaBar(k), 1e-7);
    }

    @Test
    void scheduleIsTheSigmoidRampAndSignalOnlyDecays() {
        // first and last beta from the closed form: sigmoid(-+6) * 0.00499 + 1e-5
        assertEquals(1 / (1 + Math.exp(6)) * 0.00499 + 1e-5, NoiseSchedule.beta(0), 1e-9);
        assertEquals(1 / (1 + Math.exp(-6)) * 0.00499 + 1e-5, NoiseSchedule.beta(999), 1e-9);
        for (int k = 1; k < NoiseSchedule.STEPS; k++) {
            assertTrue(NoiseSchedule.beta(k) >= NoiseSchedule.beta(k - 1), "beta rises at " + k);
            assertTrue(NoiseSchedule.alphaBar(k) < NoiseSchedule.alphaBar(k - 1), "abar falls at " + k);
            double variance = Math.pow(NoiseSchedule.sqrtAlphaBar(k), 2) + Math.pow(NoiseSchedule.sqrtOneMinusAlphaBar(k), 2);
            assertEquals(1.0, variance, 1e-6, "signal + noise variance at " + k);
        }
    }

    @Test
    void stepsOutsideTheScheduleAreRejectedWithTheRange() {
        IllegalArgumentException low = assertThrows(IllegalArgumentException.class, () -> NoiseSchedule.sqrtAlphaBar(-1));
        assertTrue(low.getMessage().contains("0..999"), low.getMessage());
        assertThrows(IllegalArgumentException.class, () -> NoiseSchedule.sqrtOneMinusAlphaBar(1000));
        assertThrows(IllegalArgumentException.class, () -> NoiseSchedule.alphaBar(1000));
    }
}
