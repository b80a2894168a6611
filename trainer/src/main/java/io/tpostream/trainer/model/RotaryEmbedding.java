package io.tpostream.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;

/**
 * Rotary position embeddings as LLaMA (Hugging Face) applies them: frequencies theta^(-2i/d), the angle table
 * duplicated over both halves of a head, and rotate_half pairing dimension i with i + d/2.
 */
public final class RotaryEmbedding {

    private final float[] inverseFrequencies;

    public RotaryEmbedding(int headDim, double theta) {
        inverseFrequencies = new float[headDim / 2];
        for (int i = 0; i < inverseFrequencies.length; i++) {
            inverseFrequencies[i] = (float) (1.0 / Math.pow(theta, (2.0 * i) / headDim));
        }
    }

    /** cos and sin tables of shape (length, headDim) for positions 0..length-1, in the given manager. */
    public NDList tables(NDManager manager, int length) {
        return tables(manager, length, DataType.FLOAT32);
    }

    /** As {@link #tables(NDManager, int)}, computed in float32 and then cast to {@code type}. */
    public NDList tables(NDManager manager, int length, DataType type) {
        NDList tables = tables32(manager, length);
        return type == DataType.FLOAT32 ? tables
                : new NDList(tables.get(0).toType(type, false), tables.get(1).toType(type, false));
    }

    private NDList tables32(NDManager manager, int length) {
        NDArray positions = manager.arange(0, length, 1, DataType.FLOAT32).reshape(length, 1);
        NDArray angles = positions.mul(manager.create(inverseFrequencies).reshape(1, inverseFrequencies.length));
        NDArray full = NDArrays.concat(new NDList(angles, angles), -1);
        return new NDList(full.cos(), full.sin());
    }

    /**
     * cos and sin tables of shape (rows, 1, length, headDim) for per-row positions (rows, length), float32, cast to
     * {@code type}: rows laid out by the caller, whose positions are not 0..length-1. The same float products as
     * {@link #tables(NDManager, int)} for the same position, so equal positions give equal bits.
     */
    public NDList tables(NDArray positions, DataType type) {
        long rows = positions.getShape().get(0);
        long length = positions.getShape().get(1);
        NDArray angles = positions.reshape(rows, length, 1)
                .mul(positions.getManager().create(inverseFrequencies).reshape(1, 1, inverseFrequencies.length));
        NDArray full = NDArrays.concat(new NDList(angles, angles), -1).reshape(rows, 1, length, 2L * inverseFrequencies.length);
        NDArray cos = full.cos();
        NDArray sin = full.sin();
        return type == DataType.FLOAT32 ? new NDList(cos, sin) : new NDList(cos.toType(type, false), sin.toType(type, false));
    }

    /** Rotates x of shape (batch, heads, length, headDim) by the tables from {@link #tables}. */
    public static NDArray apply(NDArray x, NDArray cos, NDArray sin) {
        long half = x.getShape().get(3) / 2;
        NDArray first = x.get(":, :, :, :{}", half);
        NDArray second = x.get(":, :, :, {}:", half);
        NDArray rotated = NDArrays.concat(new NDList(second.neg(), first), -1);
        return x.mul(cos).add(rotated.mul(sin));
    }
}
