package io.tpostream.trainer.tpo;

import io.tpostream.schema.Sha256;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * Standard normal draws that replay bit for bit on any JVM, so a training step can be re-run for an audit.
 * <p>
 * The algorithm is fixed here rather than borrowed from the JDK, whose generators are free to change between
 * releases ({@code SplittableRandom#nextGaussian} is a ziggurat in some versions):
 * <ul>
 *   <li>uniform 64-bit words: SplitMix64 (state advances by the golden-ratio increment 0x9E3779B97F4A7C15,
 *       output mixed with the 30/27/31-bit xor-shift multiply finaliser);</li>
 *   <li>uniform doubles in the open interval (0, 1): the top 53 bits plus one half, times 2^-53, so that
 *       log(u) is always finite;</li>
 *   <li>normals: the Box–Muller transform, {@code sqrt(-2 ln u1) * cos(2 pi u2)} and then the paired
 *       {@code ... * sin(2 pi u2)}, with {@link StrictMath}, whose results are specified to the bit.</li>
 * </ul>
 * Not thread-safe; one instance per noise tensor.
 */
public final class SeededGaussian {

    private static final long GOLDEN_GAMMA = 0x9E3779B97F4A7C15L;
    private static final double TWO_PI = 2 * Math.PI;

    private long state;
    private double spare;
    private boolean hasSpare;

    public SeededGaussian(long seed) {
        this.state = seed;
    }

    /**
     * The noise generator for one pair at one diffusion step: seeded with the first 8 bytes (big-endian) of
     * SHA-256 over {@code "tpo-noise"}, the pair id and the step, each followed by a NUL byte.
     */
    public static SeededGaussian forPair(String pairId, int step) {
        return new SeededGaussian(seed(pairId, step));
    }

    static long seed(String pairId, int step) {
        if (pairId == null || pairId.isEmpty()) {
            throw new IllegalArgumentException("a pair id is needed to seed the image noise");
        }
        MessageDigest digest = Sha256.newDigest();
        for (String part : new String[] {"tpo-noise", pairId, Integer.toString(step)}) {
            digest.update(part.getBytes(StandardCharsets.UTF_8));
            digest.update((byte) 0);
        }
        return ByteBuffer.wrap(digest.digest()).getLong();
    }

    public long nextLong() {
        long z = (state += GOLDEN_GAMMA);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** Uniform in the open interval (0, 1). */
    public double nextOpenUniform() {
        return ((nextLong() >>> 11) + 0.5) * 0x1.0p-53;
    }

    public double nextGaussian() {
        if (hasSpare) {
            hasSpare = false;
            return spare;
        }
        double radius = StrictMath.sqrt(-2 * StrictMath.log(nextOpenUniform()));
        double angle = TWO_PI * nextOpenUniform();
        spare = radius * StrictMath.sin(angle);
        hasSpare = true;
        return radius * StrictMath.cos(angle);
    }
}
