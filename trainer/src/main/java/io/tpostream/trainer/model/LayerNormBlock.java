package io.tpostream.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.nn.norm.LayerNorm;

/** LayerNorm over the last axis with weight and bias (CLIP's), named as torch.nn.LayerNorm names them. */
public final class LayerNormBlock extends NamedBlock {

    private final Parameter weight;
    private final Parameter bias;
    private final Shape normalized;
    private final float eps;

    public LayerNormBlock(int size, double eps) {
        this.weight = parameter("weight", Init.ONES, size);
        this.bias = parameter("bias", Init.ZEROS, size);
        this.normalized = new Shape(size);
        this.eps = (float) eps;
    }

    public NDArray forward(NDArray x) {
        return LayerNorm.layerNorm(x, normalized, weight.getArray(), bias.getArray(), eps).head();
    }
}
