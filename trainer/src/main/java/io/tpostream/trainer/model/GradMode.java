package io.tpostream.trainer.model;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;

import java.util.function.Supplier;

/**
 * PyTorch's autograd switch is per thread, and a new thread starts with it ON: code that runs outside a gradient
 * collector on a thread of its own (the trainer's thread, a serving thread) would record graphs it never uses, and
 * in-place parameter updates would be refused ("a leaf Variable that requires grad is being used in an in-place
 * operation"). Work that must not be recorded runs inside {@link #disabled}.
 */
public final class GradMode {

    private GradMode() {
    }

    /** For a thread that trains or evaluates outside a gradient collector: autograd off for the rest of its life. */
    public static void offOnThisThread() {
        Engine.getInstance(); // the engine (and its natives) must be loaded before the switch can be set
        JniUtils.setGradMode(false);
    }

    public static <T> T disabled(Supplier<T> work) {
        boolean was = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        try {
            return work.get();
        } finally {
            JniUtils.setGradMode(was);
        }
    }
}
