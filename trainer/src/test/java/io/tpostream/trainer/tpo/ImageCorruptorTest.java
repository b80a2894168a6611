package io.tpostream.trainer.tpo;

import io.tpostream.trainer.image.RgbImage;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ImageCorruptorTest {

    private static final String PAIR = "3f1c0e5a9b7d";

    private static RgbImage randomImage(int width, int height, long seed) {
        byte[] rgb = new byte[width * height * 3];
        new Random(seed).nextBytes(rgb);
        return new RgbImage(width, height, rgb);
    }

    private static ImageCorruptor corruptor(int step, ImageCorruption.Mode mode) {
        return new ImageCorruptor(new ImageCorruption(step, mode));
    }

    @Test
    void samePairAndStepGiveIdenticalBytes() {
        RgbImage image = randomImage(64, 48, 1);
        byte[] before = image.rgb().clone();
        RgbImage first = corruptor(500, ImageCorruption.Mode.WRAP).corrupt(image, PAIR);
        RgbImage second = corruptor(500, ImageCorruption.Mode.WRAP).corrupt(image, PAIR);
        assertArrayEquals(first.rgb(), second.rgb());
        assertEquals(64, first.width());
        assertEquals(48, first.height());
        assertArrayEquals(before, image.rgb(), "the input image is left alone");
        assertNotEquals(image, first);
    }

    @Test
    void differentPairsOrStepsGetDifferentNoise() {
        RgbImage image = randomImage(32, 32, 2);
        ImageCorruptor atK500 = corruptor(500, ImageCorruption.Mode.CLAMP);
        float[] a = atK500.noisyValues(image, PAIR);
        float[] b = atK500.noisyValues(image, PAIR + "x");
        float[] c = corruptor(499, ImageCorruption.Mode.CLAMP).noisyValues(image, PAIR);
        assertTrue(fractionDifferent(a, b) > 0.99);
        assertTrue(fractionDifferent(a, c) > 0.99);
    }

    private static double fractionDifferent(float[] a, float[] b) {
        int different = 0;
        for (int i = 0; i < a.length; i++) {
            if (a[i] != b[i]) {
                different++;
            }
        }
        return different / (double) a.length;
    }

    @Test
    void stepZeroIsNearlyTheIdentity() {
        // sqrt(1 - abar_0) * 255 = 1.2 levels of noise; 6 sigma over 27k draws stays under 8 levels
        RgbImage image = randomImage(96, 96, 3);
        RgbImage clamped = corruptor(0, ImageCorruption.Mode.CLAMP).corrupt(image, PAIR);
        double sumAbs = 0;
        for (int i = 0; i < image.rgb().length; i++) {
            int diff = Math.abs((clamped.rgb()[i] & 0xFF) - (image.rgb()[i] & 0xFF));
            assertTrue(diff <= 8, "channel value " + i + " moved by " + diff);
            sumAbs += diff;
        }
        assertTrue(sumAbs / image.rgb().length < 1.5, "mean |change| " + sumAbs / image.rgb().length);

        // WRAP agrees (to the truncation level) wherever the noise cannot push a value out of range
        RgbImage wrapped = corruptor(0, ImageCorruption.Mode.WRAP).corrupt(image, PAIR);
        for (int i = 0; i < image.rgb().length; i++) {
            int clean = image.rgb()[i] & 0xFF;
            if (clean >= 10 && clean <= 245) {
                assertTrue(Math.abs((wrapped.rgb()[i] & 0xFF) - clean) <= 8);
            }
        }
    }

    @Test
    void noiseMatchesTheScheduleStatistics() {
        RgbImage image = randomImage(256, 256, 4);
        for (int k : new int[] {250, 500, 999}) {
            float[] noisy = corruptor(k, ImageCorruption.Mode.WRAP).noisyValues(image, PAIR);
            double signal = NoiseSchedule.sqrtAlphaBar(k);
            double sigma = NoiseSchedule.sqrtOneMinusAlphaBar(k);
            double sum = 0;
            double sumSq = 0;
            for (int i = 0; i < noisy.length; i++) {
                double residual = noisy[i] - signal * ((image.rgb()[i] & 0xFF) / 255.0);
                sum += residual;
                sumSq += residual * residual;
            }
            int n = noisy.length;
            double mean = sum / n;
            double variance = sumSq / n - mean * mean;
            assertEquals(0, mean, 5 * sigma / Math.sqrt(n), "mean at k=" + k);
            assertEquals(sigma * sigma, variance, 0.02 * sigma * sigma, "variance at k=" + k);
        }
    }

    @Test
    void wrapAndClampDifferOnlyWhereValuesLeaveTheUnitRange() {
        RgbImage image = randomImage(128, 128, 5);
        float[] noisy = corruptor(500, ImageCorruption.Mode.WRAP).noisyValues(image, PAIR);
        byte[] wrapped = corruptor(500, ImageCorruption.Mode.WRAP).corrupt(image, PAIR).rgb();
        byte[] clamped = corruptor(500, ImageCorruption.Mode.CLAMP).corrupt(image, PAIR).rgb();
        int outOfRange = 0;
        int outOfRangeAndDifferent = 0;
        for (int i = 0; i < noisy.length; i++) {
            int w = wrapped[i] & 0xFF;
            int c = clamped[i] & 0xFF;
            if (noisy[i] >= 0 && noisy[i] <= 1) {
                // inside: truncation vs rounding of the same value, never more than one level apart
                assertTrue(c - w == 0 || c - w == 1, "in range at " + i + ": wrap " + w + " clamp " + c);
            } else {
                outOfRange++;
                assertEquals(noisy[i] < 0 ? 0 : 255, c, "clamp saturates");
                if (Math.abs(w - c) > 1) {
                    outOfRangeAndDifferent++;
                }
            }
        }
        // at k = 500 the noise has sigma 0.5: a large share leaves [0, 1], and most of that wraps visibly
        assertTrue(outOfRange > noisy.length / 5, "out of range: " + outOfRange);
        assertTrue(outOfRangeAndDifferent > outOfRange / 2, "wrapped visibly: " + outOfRangeAndDifferent);
    }

    @Test
    void wrapTruncatesTowardZeroThenWrapsLikeTheReference() {
        ImageCorruption.Mode wrap = ImageCorruption.Mode.WRAP;
        assertEquals(0, wrap.toPixel(-0.5f / 255));    // -0.5 truncates to 0, not -1
        assertEquals(255, wrap.toPixel(-1.5f / 255));  // -1 & 0xFF
        assertEquals(128, wrap.toPixel(-128.5f / 255)); // -128 & 0xFF
        assertEquals(255, wrap.toPixel(1f));
        assertEquals(0, wrap.toPixel(256.5f / 255));   // 256 & 0xFF
        assertEquals(44, wrap.toPixel(300.9f / 255));  // 300 - 256
        assertEquals(127, wrap.toPixel(127.9f / 255));

        ImageCorruption.Mode clamp = ImageCorruption.Mode.CLAMP;
        assertEquals(0, clamp.toPixel(-1.5f / 255));
        assertEquals(255, clamp.toPixel(256.5f / 255));
        assertEquals(128, clamp.toPixel(127.9f / 255));
    }

    @Test
    void configurationIsValidatedAndNamed() {
        assertEquals(new ImageCorruption(500, ImageCorruption.Mode.WRAP), ImageCorruption.defaults());
        assertThrows(IllegalArgumentException.class, () -> new ImageCorruption(1000, ImageCorruption.Mode.WRAP));
        assertThrows(NullPointerException.class, () -> new ImageCorruption(500, null));
        assertEquals(ImageCorruption.Mode.CLAMP, ImageCorruption.Mode.fromName("clamp"));
        assertEquals(ImageCorruption.Mode.WRAP, ImageCorruption.Mode.fromName(" WRAP "));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ImageCorruption.Mode.fromName("saturate"));
        assertTrue(e.getMessage().contains("wrap, clamp"), e.getMessage());
    }
}
