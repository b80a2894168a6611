package io.tpostream.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * The LLaVA-1.5-shaped VLM: vision tower → projector → image features spliced into the text embeddings at the
 * {@code <image>} placeholder → LLaMA decoder → logits.
 *
 * <p>The two halves are separate calls so callers can share image work: {@link #imageFeatures} runs once per
 * image, and {@link #logits} takes one feature row per text row (TPO scores chosen and rejected responses on the
 * same clean and corrupted images).
 *
 * <p>With {@link VlmConfig#lora()} set, the decoder's targeted projections carry low-rank adapters, which
 * {@link #adapters()} switches off for a base-model forward pass. Weights may be float32 or, for inference,
 * float16: inputs are cast to the weights' type on the way in and logits come out float32 either way, so loss
 * math always runs in float32.
 */
public final class VisionLanguageModel extends NamedBlock {

    private final VlmConfig config;
    private final VisionTower visionTower;
    private final Projector projector;
    private final LanguageModel languageModel;
    private final AdapterSwitch adapters = new AdapterSwitch();
    private final boolean hasAdapters;

    public VisionLanguageModel(VlmConfig config) {
        this.config = config;
        this.visionTower = child("vision_tower", new VisionTower(config.vision(), config.featureHiddenStateIndex(),
                config.keepsClassToken()));
        this.projector = child("multi_modal_projector",
                new Projector(config.vision().hiddenSize(), config.text().hiddenSize()));
        this.languageModel = child("language_model", new LanguageModel(config.text()));
        this.hasAdapters = config.lora() != null;
        if (hasAdapters) {
            LoraAdapters.attach(this, config.lora(), adapters);
        }
    }

    /** The on/off switch of the low-rank adapters (a no-op for a model without any). */
    public AdapterSwitch adapters() {
        return adapters;
    }

    public boolean hasAdapters() {
        return hasAdapters;
    }

    public VlmConfig config() {
        return config;
    }

    /**
     * @param pixels normalised images (images, 3, size, size)
     * @return projected features (images, patches, textHidden)
     */
    public NDArray imageFeatures(NDArray pixels) {
        DataType weights = weightType();
        NDArray input = pixels.getDataType() == weights ? pixels : pixels.toType(weights, false);
        return projector.forward(visionTower.forward(input));
    }

    /**
     * Next-token logits aligned with the text: row j predicts token j+1, exactly as if the image features were a
     * single token at the placeholder (the placeholder's row is the last image position's output).
     *
     * @param features    image features per text row (rows, patches, textHidden)
     * @param ids         token ids (rows, length), int64; every row has {@code <image>} at {@code placeholder}
     * @param placeholder index of the image placeholder in every row
     * @return logits (rows, length, vocab)
     */
    public NDArray logits(NDArray features, NDArray ids, int placeholder) {
        return logits(features, ids, placeholder, null);
    }

    /**
     * As {@link #logits(NDArray, NDArray, int)}, with a per-row prompt length: under prefix attention the image and
     * the first {@code prefixLengths[r]} text tokens of row r (the prompt) see each other in both directions, so the
     * image can be read in the light of the question; the response stays causal.
     */
    public NDArray logits(NDArray features, NDArray ids, int placeholder, int[] prefixLengths) {
        NDArray logits = languageModel.logits(textHidden(features, ids, placeholder, prefixLengths));
        return logits.getDataType() == DataType.FLOAT32 ? logits : logits.toType(DataType.FLOAT32, false);
    }

    /** The type of the parameters (float32 unless loaded as float16 for inference). */
    public DataType weightType() {
        return projector.namedSpecs().values().iterator().next().parameter().getArray().getDataType();
    }

    /** The decoder's final hidden states at the text-aligned rows (rows, length, textHidden). */
    public NDArray textHidden(NDArray features, NDArray ids, int placeholder, int[] prefixLengths) {
        int length = (int) ids.getShape().get(1);
        int patches = (int) features.getShape().get(1);
        NDArray spliced = spliced(features, ids, placeholder);
        int total = length - 1 + patches;
        NDArray mask = config.prefixAttention()
                ? prefixMask(managerOf(ids), total, placeholder, patches, prefixLengths, (int) ids.getShape().get(0),
                        spliced.getDataType())
                : attentionMask(managerOf(ids), total, 0, spliced.getDataType());
        NDArray hidden = languageModel.hidden(spliced, mask);
        int lastImageRow = placeholder + patches - 1;
        return placeholder == 0
                ? hidden.get(":, {}:, :", lastImageRow)
                : hidden.get(":, :{}, :", placeholder).concat(hidden.get(":, {}:, :", lastImageRow), 1);
    }

    /**
     * The decoder's final hidden states at every spliced position (rows, length - 1 + patches, textHidden) of rows
     * laid out by the caller: an explicit additive mask and per-row rotary positions, so that one row can hold a
     * shared prefix and several continuations of it that do not see each other ({@link PackedPairs}).
     *
     * @param mask      additive (rows, 1, n, n) in the weights' type, n = length - 1 + patches
     * @param positions rotary position of each spliced position (rows, n), float32
     */
    public NDArray packedHidden(NDArray features, NDArray ids, int placeholder, NDArray mask, NDArray positions) {
        return languageModel.hidden(spliced(features, ids, placeholder), mask, positions);
    }

    /** The full-vocabulary logits (float32) of hidden states, for the rows whose distribution is read. */
    public NDArray head(NDArray hidden) {
        NDArray logits = languageModel.logits(hidden);
        return logits.getDataType() == DataType.FLOAT32 ? logits : logits.toType(DataType.FLOAT32, false);
    }

    /**
     * Only the labels' logits (float32) of hidden states (..., textHidden): each row dotted with its label's row of
     * the head, for passes that read nothing else of the vocabulary (TPO's corrupted image).
     *
     * @param labels int64 ids of the same leading shape, each in [0, vocab)
     */
    public NDArray labelLogits(NDArray hidden, NDArray labels) {
        return languageModel.labelLogits(hidden, labels);
    }

    /** Text embeddings with the image features in place of the placeholder token. */
    private NDArray spliced(NDArray features, NDArray ids, int placeholder) {
        int length = (int) ids.getShape().get(1);
        if (placeholder < 0 || placeholder >= length) {
            throw new IllegalArgumentException("image placeholder index " + placeholder + " outside a sequence of "
                    + length);
        }
        NDArray text = languageModel.embed(ids);
        NDList parts = new NDList();
        if (placeholder > 0) {
            parts.add(text.get(":, :{}, :", placeholder));
        }
        parts.add(features);
        if (placeholder + 1 < length) {
            parts.add(text.get(":, {}:, :", placeholder + 1));
        }
        return ai.djl.ndarray.NDArrays.concat(parts, 1);
    }

    /** Prefix-LM mask: per row, the image and the prompt are one bidirectional block; the rest is causal. */
    static NDArray prefixMask(NDManager manager, int length, int placeholder, int patches, int[] prefixLengths,
                              int rows, DataType type) {
        if (prefixLengths == null) {
            return attentionMask(manager, length, placeholder + patches, type);
        }
        if (prefixLengths.length != rows) {
            throw new IllegalArgumentException(prefixLengths.length + " prefix lengths for " + rows + " rows");
        }
        int[] combined = new int[rows];
        for (int r = 0; r < rows; r++) {
            // text positions after the placeholder move right by (patches - 1) in the spliced sequence
            combined[r] = Math.max(placeholder + patches, prefixLengths[r] - 1 + patches);
        }
        NDArray rowIndex = manager.arange(0, length, 1, DataType.INT32).reshape(1, 1, length, 1);
        NDArray colIndex = manager.arange(0, length, 1, DataType.INT32).reshape(1, 1, 1, length);
        NDArray prefix = manager.create(combined).reshape(rows, 1, 1, 1);
        NDArray allowed = colIndex.lte(rowIndex).logicalOr(colIndex.lt(prefix));
        return allowed.toType(type, false).sub(1f).mul(1e9f);
    }

    /**
     * Additive mask (1, 1, length, length): 0 where attention is allowed, a large negative number elsewhere.
     * Causal, except that the first {@code prefix} positions (the image and what precedes it) see each other.
     * Right padding needs no extra mask: real tokens never look forward at it.
     */
    static NDArray attentionMask(NDManager manager, int length, int prefix, DataType type) {
        NDArray rows = manager.arange(0, length, 1, DataType.INT32).reshape(length, 1);
        NDArray cols = manager.arange(0, length, 1, DataType.INT32).reshape(1, length);
        NDArray allowed = cols.lte(rows);
        if (prefix > 0) {
            allowed = allowed.logicalOr(cols.lt(prefix).logicalAnd(rows.lt(prefix)));
        }
        return allowed.toType(type, false).sub(1f).mul(1e9f).reshape(new Shape(1, 1, length, length));
    }
}
