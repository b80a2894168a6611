package io.tpostream.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Parameter;

/** LLaMA's RMSNorm: x / sqrt(mean(x²) + eps) · weight, computed in float32 whatever the activation type. */
public final class RmsNorm extends NamedBlock {

    private final Parameter weight;
    private final float eps;

    public RmsNorm(int size, double eps) {
        this.weight = parameter("weight", Init.ONES, size);
        this.eps = (float) eps;
    }

    public NDArray forward(NDArray x) {
        if (x.getDataType() != DataType.FLOAT32) {
            // half-precision squares overflow at |x| > 256: normalise in float32, as transformers does
            NDArray normalised = normalise(x.toType(DataType.FLOAT32, false)).toType(x.getDataType(), false);
            return normalised.mul(weight.getArray());
        }
        return normalise(x).mul(weight.getArray());
    }

    private NDArray normalise(NDArray x) {
        NDArray meanSquare = x.square().mean(new int[] {-1}, true);
        return x.div(meanSquare.add(eps).sqrt());
    }
}
