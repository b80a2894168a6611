package io.tpostream.trainer.tpo;

/**
 * The learning rate for each optimizer step. {@code step} counts the steps already applied, so the first update
 * uses {@code at(0)}; a pure function of the step (with {@link StrictMath}, bit-exact on every JVM), so a
 * resumed or replayed run continues the same curve.
 */
public sealed interface LearningRateSchedule {

    double at(long step);

    static LearningRateSchedule constant(double learningRate) {
        return new Constant(learningRate);
    }

    /**
     * Linear warm-up from 0 to {@code peak} over {@code warmupSteps}, then half a cosine from {@code peak} down to
     * {@code floor} at {@code totalSteps}, and {@code floor} after that.
     */
    static LearningRateSchedule warmupCosine(double peak, long warmupSteps, long totalSteps, double floor) {
        return new WarmupCosine(peak, warmupSteps, totalSteps, floor);
    }

    /** The same rate at every step. */
    record Constant(double learningRate) implements LearningRateSchedule {

        public Constant {
            requireRate("learning rate", learningRate);
        }

        @Override
        public double at(long step) {
            return learningRate;
        }
    }

    /**
     * The reference run's schedule (HF {@code get_cosine_schedule_with_warmup}, extended by a floor):
     * <pre>
     *   step &lt; warmup:         peak * step / warmup                       (the first step has rate 0, as in HF)
     *   warmup &lt;= step &lt; total: floor + (peak - floor) * (1 + cos(pi * (step - warmup) / (total - warmup))) / 2
     *   step &gt;= total:          floor
     * </pre>
     */
    record WarmupCosine(double peak, long warmupSteps, long totalSteps, double floor) implements LearningRateSchedule {

        public WarmupCosine {
            requireRate("peak learning rate", peak);
            requireRate("floor learning rate", floor);
            if (floor > peak) {
                throw new IllegalArgumentException("floor " + floor + " is above the peak " + peak);
            }
            if (warmupSteps < 0 || totalSteps < warmupSteps) {
                throw new IllegalArgumentException("need 0 <= warm-up steps <= total steps, got " + warmupSteps
                        + " and " + totalSteps);
            }
        }

        @Override
        public double at(long step) {
            if (step < 0) {
                throw new IllegalArgumentException("step must be >= 0, got " + step);
            }
            if (step < warmupSteps) {
                return peak * step / warmupSteps;
            }
            if (step >= totalSteps) {
                return floor;
            }
            double progress = (double) (step - warmupSteps) / (totalSteps - warmupSteps);
            return floor + (peak - floor) * 0.5 * (1 + StrictMath.cos(Math.PI * progress));
        }
    }

    private static void requireRate(String what, double rate) {
        if (!(rate >= 0) || !Double.isFinite(rate)) {
            throw new IllegalArgumentException(what + " must be a finite number >= 0, got " + rate);
        }
    }
}
