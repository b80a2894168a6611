package io.tpostream.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.nn.Parameter;

import java.util.ArrayList;
import java.util.List;

/** The LLaMA decoder: token embeddings, decoder layers with rotary positions, a final RMSNorm, the LM head. */
public final class LanguageModel extends NamedBlock {

    private final Parameter embedTokens;
    private final List<DecoderLayer> layers = new ArrayList<>();
    private final RmsNorm norm;
    private final Dense lmHead;
    private final RotaryEmbedding rotary;

    public LanguageModel(VlmConfig.TextConfig config) {
        this.embedTokens = parameter("model.embed_tokens.weight", Init.NORMAL, config.vocabSize(), config.hiddenSize());
        for (int i = 0; i < config.numLayers(); i++) {
            layers.add(child("model.layers." + i, new DecoderLayer(config)));
        }
        this.norm = child("model.norm", new RmsNorm(config.hiddenSize(), config.rmsNormEps()));
        this.lmHead = child("lm_head", new Dense(config.hiddenSize(), config.vocabSize(), false));
        this.rotary = new RotaryEmbedding(config.headDim(), config.ropeTheta());
    }

    /** Token embeddings (batch, length, hidden) for ids (batch, length) of type int64. */
    public NDArray embed(NDArray ids) {
        return onManagerOf(ids, embedTokens.getArray().get(ids));
    }

    /** Runs the decoder over embeddings (batch, length, hidden) with an additive attention mask; final-normed. */
    public NDArray hidden(NDArray embeddings, NDArray mask) {
        int length = (int) embeddings.getShape().get(1);
        NDList tables = rotary.tables(managerOf(embeddings), length, embeddings.getDataType());
        NDArray h = embeddings;
        for (DecoderLayer layer : layers) {
            h = layer.forward(h, mask, tables.get(0), tables.get(1));
        }
        return norm.forward(h);
    }

    public NDArray logits(NDArray hidden) {
        return lmHead.forward(hidden);
    }
}
