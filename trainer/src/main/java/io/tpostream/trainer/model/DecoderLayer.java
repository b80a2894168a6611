package io.tpostream.trainer.model;

import ai.djl.ndarray.NDArray;

/** One LLaMA decoder layer: x + attn(rmsnorm(x)) with rotary positions, then + swiglu(rmsnorm(x)). */
public final class DecoderLayer extends NamedBlock {

    private final SelfAttention attention;
    private final SwiGluMlp mlp;
    private final RmsNorm inputNorm;
    private final RmsNorm postAttentionNorm;

    public DecoderLayer(VlmConfig.TextConfig c) {
        this.attention = child("self_attn", SelfAttention.llama(c.hiddenSize(), c.numHeads(), c.numKvHeads()));
        this.mlp = child("mlp", new SwiGluMlp(c.hiddenSize(), c.intermediateSize()));
        this.inputNorm = child("input_layernorm", new RmsNorm(c.hiddenSize(), c.rmsNormEps()));
        this.postAttentionNorm = child("post_attention_layernorm", new RmsNorm(c.hiddenSize(), c.rmsNormEps()));
    }

    public NDArray forward(NDArray x, NDArray mask, NDArray cos, NDArray sin) {
        NDArray h = x.add(attention.forward(inputNorm.forward(x), mask, cos, sin));
        return h.add(mlp.forward(postAttentionNorm.forward(h)));
    }
}
