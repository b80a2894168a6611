package io.tpostream.trainer.tpo;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SeededGaussianTest {

    @Test
    void uniformWordsAreSplitMix64AsTheJdkImplementsIt() {
        // the JDK's seeded SplittableRandom is SplitMix64 with the golden gamma: an independent implementation
        for (long seed : new long[] {0L, 42L, -7L, Long.MIN_VALUE}) {
            SeededGaussian ours = new SeededGaussian(seed);
            SplittableRandom jdk = new SplittableRandom(seed);
            for (int i = 0; i < 100; i++) {
                assertEquals(jdk.nextLong(), ours.nextLong(), "seed " + seed + " draw " + i);
            }
        }
    }

    @Test
    void sameSeedReplaysAndDifferentSeedsDiffer() {
        SeededGaussian a = SeededGaussian.forPair("pair-1", 500);
        SeededGaussian b = SeededGaussian.forPair("pair-1", 500);
        for (int i = 0; i < 1000; i++) {
            assertEquals(Double.doubleToRawLongBits(a.nextGaussian()), Double.doubleToRawLongBits(b.nextGaussian()));
        }
        assertNotEquals(SeededGaussian.seed("pair-1", 500), SeededGaussian.seed("pair-2", 500));
        assertNotEquals(SeededGaussian.seed("pair-1", 500), SeededGaussian.seed("pair-1", 501));
        // the NUL separator keeps ("pair-1", 5) and ("pair-15", ...) style splits apart
        assertNotEquals(SeededGaussian.seed("pair-1", 15), SeededGaussian.seed("pair-11", 5));
    }

    @Test
    void drawsAreStandardNormal() {
        SeededGaussian g = new SeededGaussian(2024);
        int n = 200_000;
        double sum = 0;
        double sumSq = 0;
        int withinOneSigma = 0;
        for (int i = 0; i < n; i++) {
            double x = g.nextGaussian();
            assertTrue(Double.isFinite(x));
            sum += x;
            sumSq += x * x;
            if (Math.abs(x) < 1) {
                withinOneSigma++;
            }
        }
        double mean = sum / n;
        assertEquals(0, mean, 0.01);                        // 4.5 standard errors
        assertEquals(1, sumSq / n - mean * mean, 0.015);
        assertEquals(0.682689, withinOneSigma / (double) n, 0.005);
    }

    @Test
    void uniformsStayInsideTheOpenInterval() {
        SeededGaussian g = new SeededGaussian(0);
        for (int i = 0; i < 10_000; i++) {
            double u = g.nextOpenUniform();
            assertTrue(u > 0 && u < 1, "u = " + u);
        }
    }

    @Test
    void aPairIdIsRequired() {
        assertThrows(IllegalArgumentException.class, () -> SeededGaussian.forPair("", 500));
        assertThrows(IllegalArgumentException.class, () -> SeededGaussian.forPair(null, 500));
    }
}
