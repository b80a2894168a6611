package io.tpostream.trainer.online;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;

/**
 * PyTorch's grad mode is per thread and on by default; DJL turns it off only on the thread that started the engine.
 * A thread that trains or evaluates outside a gradient collector turns it off for itself, as that thread has it:
 * otherwise every forward pass of the gate records an autograd graph, and in-place updates of parameters fail.
 */
final class GradMode {

    private GradMode() {
    }

    static void offOnThisThread() {
        Engine.getInstance();
        JniUtils.setGradMode(false);
    }
}
