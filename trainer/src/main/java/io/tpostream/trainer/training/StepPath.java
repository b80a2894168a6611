package io.tpostream.trainer.training;

/** How a {@link PreferenceTrainer} computes a step; both give the same loss and gradients (to float rounding). */
public enum StepPath {
    /** Chosen and rejected share one pass over their prefix; the head runs only where the objective reads it. */
    SHARED_PREFIX,
    /** Every sequence on its own with the full head everywhere: the parity oracle and the benchmark's baseline. */
    STRAIGHTFORWARD
}
