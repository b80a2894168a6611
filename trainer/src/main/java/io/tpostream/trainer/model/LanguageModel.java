package io.tpostream.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
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
        return hidden(embeddings, mask, rotary.tables(managerOf(embeddings), length, embeddings.getDataType()));
    }

    /** As {@link #hidden(NDArray, NDArray)}, each position at its own rotary position (batch, length), float32. */
    public NDArray hidden(NDArray embeddings, NDArray mask, NDArray positions) {
        return hidden(embeddings, mask, rotary.tables(positions, embeddings.getDataType()));
    }

    private NDArray hidden(NDArray embeddings, NDArray mask, NDList tables) {
        NDArray h = embeddings;
        for (DecoderLayer layer : layers) {
            h = layer.forward(h, mask, tables.get(0), tables.get(1));
        }
        return norm.forward(h);
    }

    public NDArray logits(NDArray hidden) {
        return lmHead.forward(hidden);
    }

    /**
     * The head's output at one label per row: hidden (..., d) · W[label] (..., d), summed over d, float32. Equal to
     * gathering the full logits at the labels (the head has no bias, and LoRA never targets it), at 1/vocab of the
     * work; the gradient reaches only the labels' rows of W.
     */
    public NDArray labelLogits(NDArray hidden, NDArray labels) {
        NDArray rows = onManagerOf(labels, lmHead.weight().getArray().get(labels));
        NDArray products = hidden.getDataType() == DataType.FLOAT32 ? hidden.mul(rows)
                : hidden.toType(DataType.FLOAT32, false).mul(rows.toType(DataType.FLOAT32, false));
        return products.sum(new int[] {-1});
    }
}
