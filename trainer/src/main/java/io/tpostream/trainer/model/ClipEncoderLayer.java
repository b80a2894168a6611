package io.tpostream.trainer.model;

import ai.djl.ndarray.NDArray;

/** One pre-LayerNorm CLIP encoder layer: x + attn(ln1(x)), then + mlp(ln2(x)). */
public final class ClipEncoderLayer extends NamedBlock {

    private final LayerNormBlock norm1;
    private final SelfAttention attention;
    private final LayerNormBlock norm2;
    private final ClipMlp mlp;

    public ClipEncoderLayer(VlmConfig.VisionConfig c) {
        this.attention = child("self_attn", SelfAttention.clip(c.hiddenSize(), c.numHeads()));
        this.norm1 = child("layer_norm1", new LayerNormBlock(c.hiddenSize(), c.layerNormEps()));
        this.mlp = child("mlp", new ClipMlp(c.hiddenSize(), c.intermediateSize(), c.hiddenAct()));
        this.norm2 = child("layer_norm2", new LayerNormBlock(c.hiddenSize(), c.layerNormEps()));
    }

    public NDArray forward(NDArray x) {
        NDArray h = x.add(attention.forward(norm1.forward(x), null, null, null));
        return h.add(mlp.forward(norm2.forward(h)));
    }
}
