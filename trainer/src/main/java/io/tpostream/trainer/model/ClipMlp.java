package io.tpostream.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Activation;

/** CLIP's feed-forward: fc2(act(fc1(x))) with QuickGELU, x·σ(1.702x), as the original CLIP was trained. */
public final class ClipMlp extends NamedBlock {

    private final Dense fc1;
    private final Dense fc2;
    private final boolean quickGelu;

    public ClipMlp(int hidden, int intermediate, String activation) {
        this.fc1 = child("fc1", new Dense(hidden, intermediate, true));
        this.fc2 = child("fc2", new Dense(intermediate, hidden, true));
        this.quickGelu = activation.equals("quick_gelu");
    }

    public NDArray forward(NDArray x) {
        NDArray h = fc1.forward(x);
        h = quickGelu ? h.mul(Activation.sigmoid(h.mul(scalarLike(h, 1.702f)))) : Activation.gelu(h);
        return fc2.forward(h);
    }
}
