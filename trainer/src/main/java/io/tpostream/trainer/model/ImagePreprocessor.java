package io.tpostream.trainer.model;

import io.tpostream.trainer.image.RgbImage;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.image.BufferedImage;

/**
 * CLIP's image preprocessing: optional pad-to-square (LLaVA's {@code expand2square}, filled with the mean colour),
 * resize so the shortest side is the model's size (bicubic), centre crop, then normalise each channel with CLIP's
 * mean and standard deviation. Corruption for TPO is applied before this, to the image at native resolution.
 */
public final class ImagePreprocessor {

    public static final float[] CLIP_MEAN = {0.48145466f, 0.4578275f, 0.40821073f};
    public static final float[] CLIP_STD = {0.26862954f, 0.26130258f, 0.27577711f};

    private final int size;
    private final boolean padToSquare;

    public ImagePreprocessor(int size, boolean padToSquare) {
        if (size <= 0) {
            throw new IllegalArgumentException("image size must be positive, was " + size);
        }
        this.size = size;
        this.padToSquare = padToSquare;
    }

    /** Normalised channel-first floats (3 × size × size). */
    public float[] toPixels(RgbImage image) {
        RgbImage square = padToSquare ? padToSquare(image) : image;
        RgbImage fitted = square.width() == size && square.height() == size ? square : resizeAndCrop(square);
        float[] chw = fitted.toFloatChw();
        int plane = size * size;
        for (int c = 0; c < 3; c++) {
            for (int i = 0; i < plane; i++) {
                chw[c * plane + i] = (chw[c * plane + i] - CLIP_MEAN[c]) / CLIP_STD[c];
            }
        }
        return chw;
    }

    public int size() {
        return size;
    }

    private RgbImage padToSquare(RgbImage image) {
        int side = Math.max(image.width(), image.height());
        if (image.width() == side && image.height() == side) {
            return image;
        }
        BufferedImage canvas = new BufferedImage(side, side, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = canvas.createGraphics();
        g.setColor(new Color(Math.round(CLIP_MEAN[0] * 255), Math.round(CLIP_MEAN[1] * 255), Math.round(CLIP_MEAN[2] * 255)));
        g.fillRect(0, 0, side, side);
        g.drawImage(toBuffered(image), (side - image.width()) / 2, (side - image.height()) / 2, null);
        g.dispose();
        return RgbImage.fromBufferedImage(canvas);
    }

    /**
     * Scales so the shortest side is {@code size} and keeps the centre square. The whole scaled image would be
     * {@code size} x ({@code size} x aspect ratio) pixels: gigabytes for a 1 x 1,000,000 image, which any client
     * may send. Only its centre square is kept, so only that is drawn: the same transform, shifted by the crop
     * offset, onto a {@code size} x {@code size} canvas.
     */
    private RgbImage resizeAndCrop(RgbImage image) {
        double scale = (double) size / Math.min(image.width(), image.height());
        long w = Math.max(size, Math.round(image.width() * scale));
        long h = Math.max(size, Math.round(image.height() * scale));
        BufferedImage square = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = square.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BICUBIC);
        AffineTransform cropThenScale = AffineTransform.getTranslateInstance(-((w - size) / 2), -((h - size) / 2));
        cropThenScale.scale((double) w / image.width(), (double) h / image.height());
        g.drawImage(toBuffered(image), cropThenScale, null);
        g.dispose();
        return RgbImage.fromBufferedImage(square);
    }

    private static BufferedImage toBuffered(RgbImage image) {
        BufferedImage out = new BufferedImage(image.width(), image.height(), BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < image.height(); y++) {
            for (int x = 0; x < image.width(); x++) {
                out.setRGB(x, y, (image.channel(x, y, 0) << 16) | (image.channel(x, y, 1) << 8) | image.channel(x, y, 2));
            }
        }
        return out;
    }
}
