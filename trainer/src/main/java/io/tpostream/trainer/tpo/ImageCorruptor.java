package io.tpostream.trainer.tpo;

import io.tpostream.trainer.image.RgbImage;

import java.util.Objects;

/**
 * Diffusion forward noise on an 8-bit image: {@code v_c = sqrt(abar_k) v + sqrt(1 - abar_k) eps} with v the
 * pixel value / 255 at native resolution (before any resizing or normalisation), computed in float32 as the
 * reference does, then turned back into 8-bit pixels by the configured {@link ImageCorruption.Mode}.
 * <p>
 * eps is one standard normal per channel value, drawn in the image's HWC byte order from
 * {@link SeededGaussian#forPair(String, int)}: the same pair at the same step always gets the same noise, on any
 * machine. (The reference draws fresh unseeded noise with torch.randn; its exact draws cannot be reproduced and
 * need not be.)
 */
public final class ImageCorruptor {

    private final ImageCorruption config;
    private final float signalScale;
    private final float noiseScale;

    public ImageCorruptor(ImageCorruption config) {
        this.config = Objects.requireNonNull(config, "config");
        this.signalScale = NoiseSchedule.sqrtAlphaBar(config.step());
        this.noiseScale = NoiseSchedule.sqrtOneMinusAlphaBar(config.step());
    }

    public ImageCorruption config() {
        return config;
    }

    /** The corrupted copy of {@code image} for pair {@code pairId}; the input is not modified. */
    public RgbImage corrupt(RgbImage image, String pairId) {
        float[] noisy = noisyValues(image, pairId);
        byte[] out = new byte[noisy.length];
        for (int i = 0; i < noisy.length; i++) {
            out[i] = (byte) config.mode().toPixel(noisy[i]);
        }
        return new RgbImage(image.width(), image.height(), out);
    }

    /**
     * v_c for every channel value, HWC order like {@link RgbImage#rgb()}, before quantisation: unbounded, in units
     * of full scale. What {@link #corrupt} quantises; exposed so the noise itself can be inspected.
     */
    public float[] noisyValues(RgbImage image, String pairId) {
        SeededGaussian noise = SeededGaussian.forPair(pairId, config.step());
        byte[] rgb = image.rgb();
        float[] out = new float[rgb.length];
        for (int i = 0; i < rgb.length; i++) {
            float clean = (rgb[i] & 0xFF) / 255f;
            out[i] = signalScale * clean + noiseScale * (float) noise.nextGaussian();
        }
        return out;
    }
}
