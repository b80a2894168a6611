package io.tpostream.trainer.image;

import io.tpostream.schema.Sha256;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;

/**
 * An 8-bit RGB image, row-major, channels interleaved (HWC), the form images travel in before the model sees
 * them. Immutable by convention: nothing here writes into {@link #rgb()} after construction.
 */
public record RgbImage(int width, int height, byte[] rgb) {

    public RgbImage {
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("image size must be positive: " + width + "x" + height);
        }
        if (rgb.length != width * height * 3) {
            throw new IllegalArgumentException("expected " + width * height * 3 + " bytes, got " + rgb.length);
        }
    }

    /** Red, green, blue of one pixel, each 0..255. */
    public int channel(int x, int y, int c) {
        return rgb[(y * width + x) * 3 + c] & 0xFF;
    }

    /** Channel-first floats in [0, 1] (CHW), the layout the vision encoder takes. */
    public float[] toFloatChw() {
        int plane = width * height;
        float[] out = new float[3 * plane];
        for (int i = 0; i < plane; i++) {
            for (int c = 0; c < 3; c++) {
                out[c * plane + i] = (rgb[i * 3 + c] & 0xFF) / 255f;
            }
        }
        return out;
    }

    public byte[] encodePng() {
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int p = (y * width + x) * 3;
                img.setRGB(x, y, ((rgb[p] & 0xFF) << 16) | ((rgb[p + 1] & 0xFF) << 8) | (rgb[p + 2] & 0xFF));
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ImageIO.write(img, "png", out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /**
     * Decodes PNG, JPEG or any format ImageIO reads.
     *
     * @throws IllegalArgumentException if the bytes are not an image
     */
    public static RgbImage decode(byte[] encoded) {
        BufferedImage img;
        try {
            img = ImageIO.read(new ByteArrayInputStream(encoded));
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("not a readable image: " + e.getMessage(), e);
        }
        if (img == null) {
            throw new IllegalArgumentException("not a readable image: no decoder recognised the bytes");
        }
        return fromBufferedImage(img);
    }

    public static RgbImage fromBufferedImage(BufferedImage img) {
        int w = img.getWidth();
        int h = img.getHeight();
        byte[] rgb = new byte[w * h * 3];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int argb = img.getRGB(x, y);
                int p = (y * w + x) * 3;
                rgb[p] = (byte) (argb >> 16);
                rgb[p + 1] = (byte) (argb >> 8);
                rgb[p + 2] = (byte) argb;
            }
        }
        return new RgbImage(w, h, rgb);
    }

    /** SHA-256 of the PNG encoding: the image's identity in feedback events and pairs. */
    public String pngSha256() {
        return Sha256.hex(encodePng());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RgbImage other && width == other.width && height == other.height
                && Arrays.equals(rgb, other.rgb);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * width + height) + Arrays.hashCode(rgb);
    }

    @Override
    public String toString() {
        return "RgbImage[" + width + "x" + height + "]";
    }
}
