package io.tpostream.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;

/** y = x·Wᵀ + b with W of shape (out, in), as torch.nn.Linear stores it. */
public final class Dense extends NamedBlock {

    private final Parameter weight;
    private final Parameter bias;
    private final int in;
    private final int out;

    public Dense(int in, int out, boolean withBias) {
        this.in = in;
        this.out = out;
        this.weight = parameter("weight", Init.NORMAL, out, in);
        this.bias = withBias ? parameter("bias", Init.ZEROS, out) : null;
    }

    public NDArray forward(NDArray x) {
        return bias == null
                ? Linear.linear(x, weight.getArray()).head()
                : Linear.linear(x, weight.getArray(), bias.getArray()).head();
    }

    public Parameter weight() {
        return weight;
    }

    public int in() {
        return in;
    }

    public int out() {
        return out;
    }
}
