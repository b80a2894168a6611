package io.tpostream.trainer.online;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;

/**
 * PyTorch's intra-op thread count. Its CPU kernels split reductions by thread, so the float sums of a step (and a
 * checkpoint's SHA-256) depend on it: a replay is bit-identical only with the count the version was trained with.
 * The {@code tpo} launcher and the test JVMs set one thread ({@code -Dai.djl.pytorch.num_threads=1}), which DJL
 * applies when the engine starts; every version records the count it was trained with under {@link #KEY}.
 */
public final class IntraOpThreads {

    /** The hyper-parameter key of a version record. */
    public static final String KEY = "intra_op_threads";

    private IntraOpThreads() {
    }

    public static int current() {
        Engine.getInstance(); // starts the engine, which applies ai.djl.pytorch.num_threads
        return JniUtils.getNumThreads();
    }
}
