package io.tpostream.trainer.model;

/**
 * Whether a model's low-rank adapters take part in its forward pass. With them off the model computes its base
 * weights alone, which is what LoRA preference training uses as the reference model: no second copy of the
 * weights is needed. One switch per model; forward passes on one model must not run concurrently with different
 * settings.
 */
public final class AdapterSwitch {

    private boolean enabled = true;

    boolean enabled() {
        return enabled;
    }

    /** Turns the adapters off until the returned scope is closed (try-with-resources). */
    public Scope off() {
        boolean before = enabled;
        enabled = false;
        return () -> enabled = before;
    }

    /** A region with the adapters switched off. */
    @FunctionalInterface
    public interface Scope extends AutoCloseable {
        @Override
        void close();
    }
}
