package io.tpostream.trainer.tpo;

/**
 * Hyper-parameters of {@link AdamW} other than the learning rate, which a {@link LearningRateSchedule} supplies
 * per step.
 *
 * @param beta1       decay of the first-moment (mean gradient) estimate, in [0, 1); PyTorch's 0.9
 * @param beta2       decay of the second-moment (squared gradient) estimate, in [0, 1); PyTorch's 0.999
 * @param epsilon     added to the bias-corrected RMS before dividing, &gt; 0; PyTorch's 1e-8
 * @param weightDecay decoupled weight decay, parameters shrink by lr * weightDecay per step; the reference run's
 *                    0 (PyTorch's AdamW defaults to 0.01)
 * @param maxGradNorm gradients are scaled down when their global L2 norm exceeds this, &gt; 0; 1.0 as in HF
 *                    Trainer; {@code Double.POSITIVE_INFINITY} turns clipping off
 */
public record AdamWConfig(double beta1, double beta2, double epsilon, double weightDecay, double maxGradNorm) {

    public AdamWConfig {
        if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1)) {
            throw new IllegalArgumentException("betas must be in [0, 1), got " + beta1 + ", " + beta2);
        }
        if (!(epsilon > 0) || !Double.isFinite(epsilon)) {
            throw new IllegalArgumentException("epsilon must be a positive finite number, got " + epsilon);
        }
        if (!(weightDecay >= 0) || !Double.isFinite(weightDecay)) {
            throw new IllegalArgumentException("weight decay must be >= 0, got " + weightDecay);
        }
        if (!(maxGradNorm > 0)) {
            throw new IllegalArgumentException("max gradient norm must be > 0 (infinity disables clipping), got "
                    + maxGradNorm);
        }
    }

    public static AdamWConfig defaults() {
        return new AdamWConfig(0.9, 0.999, 1e-8, 0.0, 1.0);
    }

    public AdamWConfig withWeightDecay(double newWeightDecay) {
        return new AdamWConfig(beta1, beta2, epsilon, newWeightDecay, maxGradNorm);
    }

    public AdamWConfig withMaxGradNorm(double newMaxGradNorm) {
        return new AdamWConfig(beta1, beta2, epsilon, weightDecay, newMaxGradNorm);
    }
}
