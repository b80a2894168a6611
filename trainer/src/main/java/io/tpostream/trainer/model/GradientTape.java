package io.tpostream.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;

/**
 * Records autograd on the calling thread while open, then back-propagates a scalar into the leaves' gradients.
 *
 * <p>Why not DJL's {@code GradientCollector}: PyTorch's grad mode is per thread, but DJL's PyTorch collector keeps a
 * JVM-wide flag and refuses a second collector while one is open, so two trainings could never run side by side in
 * one JVM (the offline study trains its runs on several threads). This does the same two things, switching grad mode
 * on for this thread and calling the engine's backward, without the global flag. One tape per thread at a time.
 */
public final class GradientTape implements AutoCloseable {

    private final boolean wasRecording;

    public GradientTape() {
        wasRecording = JniUtils.isGradMode();
        JniUtils.setGradMode(true);
    }

    /** Adds d(target)/d(leaf) to every leaf's gradient; the target is a scalar such as a loss. */
    public void backward(NDArray target) {
        try (NDArray seed = target.onesLike()) {
            JniUtils.backward((PtNDArray) target, (PtNDArray) seed, false, false);
        }
    }

    @Override
    public void close() {
        JniUtils.setGradMode(wasRecording);
    }
}
