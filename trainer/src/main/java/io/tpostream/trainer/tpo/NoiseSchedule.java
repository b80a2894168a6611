package io.tpostream.trainer.tpo;

/**
 * The 1000-step sigmoid noise schedule of the diffusion forward process that corrupts images for TPO
 * (method note §1):
 * <pre>
 *   beta_t = sigmoid(linspace(-6, 6, 1000))[t] * (0.005 - 1e-5) + 1e-5      t = 0..999
 *   abar_k = prod_{i=0..k} (1 - beta_i)
 * </pre>
 * The constants are computed the way the reference's PyTorch code computes them on a CPU, so that
 * {@link #sqrtAlphaBar(int)} and {@link #sqrtOneMinusAlphaBar(int)} are the very float32 numbers it used:
 * <ul>
 *   <li>{@code torch.linspace} in float32 takes {@code step = (end - start) / (steps - 1)} and fills the first
 *       half as {@code start + step * i} and the second half from the other end as
 *       {@code end - step * (steps - 1 - i)}, so the last point is exactly 6 (its vectorised kernel may differ
 *       from this scalar form by one ulp at a few points; no printed constant moves).</li>
 *   <li>sigmoid, the scaling by {@code 0.005 - 1e-5} (a Python double rounded to float32), the shift and
 *       {@code 1 - beta} are float32 operations.</li>
 *   <li>{@code torch.cumprod} on the CPU accumulates float32 input in double ({@code acc_type<float>} is double
 *       there) and rounds each partial product to float32. A float32 accumulator is off by up to 1e-6 in
 *       {@code sqrt(1 - abar)} at k = 250 and does not reproduce the method note's constants; this does,
 *       to the last printed digit.</li>
 * </ul>
 * Java float arithmetic is strict IEEE 754 since Java 17 and {@link StrictMath} is bit-exact by specification, so
 * the table is the same on every JVM (Math.exp may differ by an ulp between the interpreter and JIT intrinsics).
 */
public final class NoiseSchedule {

    /** Number of diffusion steps; valid steps are 0..STEPS-1. */
    public static final int STEPS = 1000;

    private static final float[] BETA = new float[STEPS];
    private static final float[] ALPHA_BAR = new float[STEPS];
    private static final float[] SQRT_ALPHA_BAR = new float[STEPS];
    private static final float[] SQRT_ONE_MINUS_ALPHA_BAR = new float[STEPS];

    static {
        float start = -6f;
        float end = 6f;
        float step = (end - start) / (STEPS - 1);
        float scale = (float) (0.005 - 1e-5);
        float shift = 1e-5f;
        int halfway = STEPS / 2;
        double cumulative = 1.0;
        for (int t = 0; t < STEPS; t++) {
            float x = t < halfway ? start + step * t : end - step * (STEPS - 1 - t);
            float sigmoid = (float) (1.0 / (1.0 + StrictMath.exp(-(double) x)));
            BETA[t] = sigmoid * scale + shift;
            cumulative *= 1f - BETA[t];
            ALPHA_BAR[t] = (float) cumulative;
            SQRT_ALPHA_BAR[t] = (float) Math.sqrt(ALPHA_BAR[t]);
            SQRT_ONE_MINUS_ALPHA_BAR[t] = (float) Math.sqrt(1f - ALPHA_BAR[t]);
        }
    }

    private NoiseSchedule() {
    }

    /** beta_t, the noise variance added at step t. */
    public static float beta(int step) {
        return BETA[checked(step)];
    }

    /** abar_k = prod_{i<=k} (1 - beta_i), the signal variance left after step k. */
    public static float alphaBar(int step) {
        return ALPHA_BAR[checked(step)];
    }

    /** sqrt(abar_k): how much of the clean image survives at step k. */
    public static float sqrtAlphaBar(int step) {
        return SQRT_ALPHA_BAR[checked(step)];
    }

    /** sqrt(1 - abar_k): the standard deviation of the noise at step k. */
    public static float sqrtOneMinusAlphaBar(int step) {
        return SQRT_ONE_MINUS_ALPHA_BAR[checked(step)];
    }

    /** The step itself, or an exception naming the valid range. */
    public static int checked(int step) {
        if (step < 0 || step >= STEPS) {
            throw new IllegalArgumentException(
                    "noise step must be in 0.." + (STEPS - 1) + " (the schedule has " + STEPS + " steps), got " + step);
        }
        return step;
    }
}
