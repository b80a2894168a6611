package io.tpostream.trainer.eval;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;

/**
 * Derives independent random streams from (seed, index, stream), so that item {@code i} of a benchmark or pair
 * set is the same whatever {@code n} is, and so that adding a new use of randomness (a new stream) never shifts
 * the numbers an existing one sees.
 *
 * <p>The derived value is the 64-bit finaliser of SplitMix64 applied to a combination of the three inputs; the
 * stream is then a {@link SplittableRandom} seeded with it.
 */
public final class Seeds {

    /** Stream ids: one per purpose, never reused. */
    public static final long SCENE = 1;
    public static final long POPE_RANDOM = 2;
    public static final long PAIR_REJECTED = 3;

    private static final long GOLDEN_GAMMA = 0x9E3779B97F4A7C15L;

    private Seeds() {
    }

    public static long derive(long seed, long index, long stream) {
        long z = mix64(seed + GOLDEN_GAMMA);
        z = mix64(z ^ (index * GOLDEN_GAMMA + 0x632BE59BD9B4E019L));
        return mix64(z ^ (stream * 0xC2B2AE3D27D4EB4FL));
    }

    public static SplittableRandom random(long seed, long index, long stream) {
        return new SplittableRandom(derive(seed, index, stream));
    }

    /** A Fisher–Yates shuffled copy: the same order for the same generator state on any JVM. */
    public static <T> List<T> shuffled(List<T> items, RandomGenerator rng) {
        List<T> out = new ArrayList<>(items);
        for (int i = out.size() - 1; i > 0; i--) {
            Collections.swap(out, i, rng.nextInt(i + 1));
        }
        return out;
    }

    static long mix64(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
