package io.tpostream.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Activation;

/** LLaVA-1.5's {@code mlp2x_gelu} projector: vision features to the language model's width. */
public final class Projector extends NamedBlock {

    private final Dense first;
    private final Dense second;

    public Projector(int visionHidden, int textHidden) {
        this.first = child("linear_1", new Dense(visionHidden, textHidden, true));
        this.second = child("linear_2", new Dense(textHidden, textHidden, true));
    }

    public NDArray forward(NDArray features) {
        return second.forward(Activation.gelu(first.forward(features)));
    }
}
