package io.tpostream.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.nn.Activation;

/** LLaMA's feed-forward: down(silu(gate(x)) · up(x)). */
public final class SwiGluMlp extends NamedBlock {

    private final Dense gate;
    private final Dense up;
    private final Dense down;

    public SwiGluMlp(int hidden, int intermediate) {
        this.gate = child("gate_proj", new Dense(hidden, intermediate, false));
        this.up = child("up_proj", new Dense(hidden, intermediate, false));
        this.down = child("down_proj", new Dense(intermediate, hidden, false));
    }

    public NDArray forward(NDArray x) {
        // silu(g) = sigmoid(g)·g, as DJL's swish(g, 1) computes it but without its scalar (see scalarLike)
        NDList gateUp = Dense.forwardStacked(x, gate, up);
        NDArray g = gateUp.get(0);
        return down.forward(Activation.sigmoid(g).mul(g).mul(gateUp.get(1)));
    }
}
