package io.tpostream.trainer.model;

import io.tpostream.trainer.image.RgbImage;
import org.junit.jupiter.api.Test;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ImagePreprocessorTest {

    private static final int SIZE = 32;

    @Test
    void drawingOnlyTheCentreSquareGivesTheSamePixelsAsScalingTheWholeImageThenCropping() {
        SplittableRandom random = new SplittableRandom(5);
        ImagePreprocessor preprocessor = new ImagePreprocessor(SIZE, false);
        int[][] sizes = {{48, 32}, {32, 48}, {64, 40}, {17, 90}, {100, 33}, {333, 31}, {8, 5}, {3, 200}, {45, 45}};
        for (int[] wh : sizes) {
            RgbImage image = noise(wh[0], wh[1], random);
            assertArrayEquals(normalised(scaleWholeThenCrop(image)), preprocessor.toPixels(image),
                    wh[0] + "x" + wh[1]);
        }
    }

    @Test
    void aThinImageOfAMillionPixelsIsPreprocessedWithoutScalingAllOfIt() {
        RgbImage thin = noise(1, 1_000_000, new SplittableRandom(6));
        long before = usedHeap();
        float[] pixels = new ImagePreprocessor(SIZE, false).toPixels(thin);
        assertEquals(3 * SIZE * SIZE, pixels.length);
        // scaled whole, it would be 32 x 32,000,000 ints (4 GB); the source itself is a few MB
        assertTrue(usedHeap() - before < 512L << 20, "heap grew by " + (usedHeap() - before) + " bytes");
    }

    /** What the preprocessor did before it drew only the centre: the whole scaled image, then its centre square. */
    private static RgbImage scaleWholeThenCrop(RgbImage image) {
        double scale = (double) SIZE / Math.min(image.width(), image.height());
        int w = Math.max(SIZE, (int) Math.round(image.width() * scale));
        int h = Math.max(SIZE, (int) Math.round(image.height() * scale));
        BufferedImage source = new BufferedImage(image.width(), image.height(), BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < image.height(); y++) {
            for (int x = 0; x < image.width(); x++) {
                source.setRGB(x, y, (image.channel(x, y, 0) << 16) | (image.channel(x, y, 1) << 8) | image.channel(x, y, 2));
            }
        }
        BufferedImage resized = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = resized.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BICUBIC);
        g.drawImage(source, 0, 0, w, h, null);
        g.dispose();
        return RgbImage.fromBufferedImage(resized.getSubimage((w - SIZE) / 2, (h - SIZE) / 2, SIZE, SIZE));
    }

    /** A square image goes through unscaled: the preprocessor's own normalisation of the expected square. */
    private static float[] normalised(RgbImage square) {
        return new ImagePreprocessor(SIZE, false).toPixels(square);
    }

    private static RgbImage noise(int width, int height, SplittableRandom random) {
        byte[] rgb = new byte[width * height * 3];
        for (int i = 0; i < rgb.length; i++) {
            rgb[i] = (byte) random.nextInt(256);
        }
        return new RgbImage(width, height, rgb);
    }

    private static long usedHeap() {
        Runtime rt = Runtime.getRuntime();
        return rt.totalMemory() - rt.freeMemory();
    }
}
