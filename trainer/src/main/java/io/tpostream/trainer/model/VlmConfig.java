package io.tpostream.trainer.model;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Locale;

/**
 * The architecture of a LLaVA-1.5-shaped vision-language model: a CLIP ViT vision tower, an {@code mlp2x_gelu}
 * projector and a LLaMA decoder. The JSON form uses Hugging Face's {@code config.json} key names, so a LLaVA
 * config reads directly (a Hugging Face {@code config.json}, which leaves many fields to class defaults, reads
 * through {@link HfLlavaConfig}), and every checkpoint carries its config: loading never guesses the architecture.
 * Keys starting with {@code tpo_} are ours; Hugging Face ignores them.
 *
 * @param vision                 the vision tower
 * @param text                   the language model
 * @param imageTokenId           the placeholder token the image features replace
 * @param visionFeatureLayer     which hidden state of the vision tower feeds the projector (LLaVA: -2; -1 = last)
 * @param projectorHiddenAct     the projector's activation (LLaVA: gelu)
 * @param attention              {@code causal} (LLaVA) or {@code prefix}: image tokens see each other both ways
 * @param featureSelectStrategy  {@code default} drops the vision tower's class token, {@code full} keeps it
 * @param promptFormat           {@code scene} (the synthetic world's format) or {@code llava}
 *                               ("USER: &lt;image&gt;\n{prompt} ASSISTANT:"); see {@link PromptFormat}
 * @param specialTokens          the special tokens' text; null means the prompt format's usual ones
 * @param lora                   low-rank adapters on the decoder, or null for none
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record VlmConfig(
        @JsonProperty("vision_config") VisionConfig vision,
        @JsonProperty("text_config") TextConfig text,
        @JsonProperty("image_token_index") int imageTokenId,
        @JsonProperty("vision_feature_layer") int visionFeatureLayer,
        @JsonProperty("projector_hidden_act") String projectorHiddenAct,
        @JsonProperty("tpo_attention") String attention,
        @JsonProperty("vision_feature_select_strategy") String featureSelectStrategy,
        @JsonProperty("tpo_prompt_format") String promptFormat,
        @JsonProperty("tpo_special_tokens") TextTokenizer.SpecialTokens specialTokens,
        @JsonProperty("tpo_lora") LoraConfig lora) {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS);

    public VlmConfig {
        if (vision == null || text == null) {
            throw new IllegalArgumentException("config needs both vision_config and text_config");
        }
        if (imageTokenId < 0 || imageTokenId >= text.vocabSize()) {
            throw new IllegalArgumentException("image_token_index " + imageTokenId + " is outside the vocabulary (size "
                    + text.vocabSize() + ")");
        }
        int layers = vision.numLayers();
        if (visionFeatureLayer < -layers - 1 || visionFeatureLayer > layers) {
            throw new IllegalArgumentException("vision_feature_layer " + visionFeatureLayer + " does not exist in a "
                    + layers + "-layer vision tower");
        }
        projectorHiddenAct = projectorHiddenAct == null ? "gelu" : projectorHiddenAct;
        if (!projectorHiddenAct.equals("gelu")) {
            throw new IllegalArgumentException("projector_hidden_act '" + projectorHiddenAct + "' is not supported (gelu)");
        }
        attention = attention == null ? "causal" : attention.toLowerCase(Locale.ROOT);
        if (!attention.equals("causal") && !attention.equals("prefix")) {
            throw new IllegalArgumentException("tpo_attention must be causal or prefix, not '" + attention + "'");
        }
        featureSelectStrategy = featureSelectStrategy == null ? "default" : featureSelectStrategy;
        if (!featureSelectStrategy.equals("default") && !featureSelectStrategy.equals("full")) {
            throw new IllegalArgumentException("vision_feature_select_strategy must be default or full, not '"
                    + featureSelectStrategy + "'");
        }
        promptFormat = promptFormat == null ? PromptFormat.Template.SCENE.configName() : promptFormat;
        PromptFormat.Template template = PromptFormat.Template.fromName(promptFormat);
        promptFormat = template.configName();
        specialTokens = specialTokens == null ? template.defaultSpecialTokens() : specialTokens;
    }

    /** The original six settings; the rest take their defaults (class token dropped, scene prompts, no LoRA). */
    public VlmConfig(VisionConfig vision, TextConfig text, int imageTokenId, int visionFeatureLayer,
                     String projectorHiddenAct, String attention) {
        this(vision, text, imageTokenId, visionFeatureLayer, projectorHiddenAct, attention, null, null, null, null);
    }

    public VlmConfig withLora(LoraConfig newLora) {
        return new VlmConfig(vision, text, imageTokenId, visionFeatureLayer, projectorHiddenAct, attention,
                featureSelectStrategy, promptFormat, specialTokens, newLora);
    }

    public VlmConfig withAttention(String newAttention) {
        return new VlmConfig(vision, text, imageTokenId, visionFeatureLayer, projectorHiddenAct, newAttention,
                featureSelectStrategy, promptFormat, specialTokens, lora);
    }

    public VlmConfig withFeatureSelectStrategy(String strategy) {
        return new VlmConfig(vision, text, imageTokenId, visionFeatureLayer, projectorHiddenAct, attention,
                strategy, promptFormat, specialTokens, lora);
    }

    /** The prompt template and its special tokens together; null tokens mean the template's usual ones. */
    public VlmConfig withPrompt(PromptFormat.Template template, TextTokenizer.SpecialTokens tokens) {
        return new VlmConfig(vision, text, imageTokenId, visionFeatureLayer, projectorHiddenAct, attention,
                featureSelectStrategy, template.configName(), tokens, lora);
    }

    @JsonIgnore
    public PromptFormat.Template template() {
        return PromptFormat.Template.fromName(promptFormat);
    }

    /** Whether the vision tower's class token is passed on to the projector (strategy {@code full}). */
    @JsonIgnore
    public boolean keepsClassToken() {
        return featureSelectStrategy.equals("full");
    }

    /** Image features per image: one per patch, plus the class token under strategy {@code full}. */
    @JsonIgnore
    public int imageSeqLength() {
        return vision.numPatches() + (keepsClassToken() ? 1 : 0);
    }

    /** Index into the vision tower's hidden states (0 = embeddings, i = after layer i), negative from the end. */
    @JsonIgnore
    public int featureHiddenStateIndex() {
        int count = vision.numLayers() + 1;
        return visionFeatureLayer < 0 ? count + visionFeatureLayer : visionFeatureLayer;
    }

    @JsonIgnore
    public boolean prefixAttention() {
        return attention.equals("prefix");
    }

    /**
     * @param imageSize          square input side in pixels
     * @param patchSize          side of a patch; the image is cut into (imageSize/patchSize)^2 tokens
     * @param hiddenSize         width of the tower
     * @param numLayers          encoder layers
     * @param numHeads           attention heads
     * @param intermediateSize   width of each MLP
     * @param layerNormEps       LayerNorm epsilon
     * @param hiddenAct          MLP activation (CLIP: quick_gelu)
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record VisionConfig(
            @JsonProperty("image_size") int imageSize,
            @JsonProperty("patch_size") int patchSize,
            @JsonProperty("hidden_size") int hiddenSize,
            @JsonProperty("num_hidden_layers") int numLayers,
            @JsonProperty("num_attention_heads") int numHeads,
            @JsonProperty("intermediate_size") int intermediateSize,
            @JsonProperty("layer_norm_eps") double layerNormEps,
            @JsonProperty("hidden_act") String hiddenAct) {

        public VisionConfig {
            positive("vision image_size", imageSize);
            positive("vision patch_size", patchSize);
            if (imageSize % patchSize != 0) {
                throw new IllegalArgumentException("vision image_size " + imageSize + " is not a multiple of patch_size "
                        + patchSize);
            }
            divisible("vision hidden_size", hiddenSize, "num_attention_heads", numHeads);
            positive("vision num_hidden_layers", numLayers);
            positive("vision intermediate_size", intermediateSize);
            layerNormEps = layerNormEps == 0 ? 1e-5 : layerNormEps;
            hiddenAct = hiddenAct == null ? "quick_gelu" : hiddenAct;
            if (!hiddenAct.equals("quick_gelu") && !hiddenAct.equals("gelu")) {
                throw new IllegalArgumentException("vision hidden_act '" + hiddenAct + "' is not supported (quick_gelu, gelu)");
            }
        }

        public int patchesPerSide() {
            return imageSize / patchSize;
        }

        public int numPatches() {
            return patchesPerSide() * patchesPerSide();
        }

        public int headDim() {
            return hiddenSize / numHeads;
        }
    }

    /**
     * @param vocabSize        tokens in the vocabulary
     * @param hiddenSize       model width
     * @param numLayers        decoder layers
     * @param numHeads         query heads
     * @param numKvHeads       key/value heads (fewer than numHeads = grouped-query attention)
     * @param intermediateSize SwiGLU width
     * @param rmsNormEps       RMSNorm epsilon
     * @param ropeTheta        rotary embedding base
     * @param maxPositions     longest sequence (image tokens + text)
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record TextConfig(
            @JsonProperty("vocab_size") int vocabSize,
            @JsonProperty("hidden_size") int hiddenSize,
            @JsonProperty("num_hidden_layers") int numLayers,
            @JsonProperty("num_attention_heads") int numHeads,
            @JsonProperty("num_key_value_heads") int numKvHeads,
            @JsonProperty("intermediate_size") int intermediateSize,
            @JsonProperty("rms_norm_eps") double rmsNormEps,
            @JsonProperty("rope_theta") double ropeTheta,
            @JsonProperty("max_position_embeddings") int maxPositions) {

        public TextConfig {
            positive("text vocab_size", vocabSize);
            divisible("text hidden_size", hiddenSize, "num_attention_heads", numHeads);
            numKvHeads = numKvHeads == 0 ? numHeads : numKvHeads;
            divisible("text num_attention_heads", numHeads, "num_key_value_heads", numKvHeads);
            positive("text num_hidden_layers", numLayers);
            positive("text intermediate_size", intermediateSize);
            rmsNormEps = rmsNormEps == 0 ? 1e-6 : rmsNormEps;
            ropeTheta = ropeTheta == 0 ? 10000 : ropeTheta;
            positive("text max_position_embeddings", maxPositions);
            if ((hiddenSize / numHeads) % 2 != 0) {
                throw new IllegalArgumentException("text head dim " + hiddenSize / numHeads + " must be even for rotary embeddings");
            }
        }

        public int headDim() {
            return hiddenSize / numHeads;
        }
    }

    private static void positive(String what, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException(what + " must be positive, was " + value);
        }
    }

    private static void divisible(String what, int value, String byWhat, int by) {
        positive(what, value);
        positive(byWhat, by);
        if (value % by != 0) {
            throw new IllegalArgumentException(what + " " + value + " is not divisible by " + byWhat + " " + by);
        }
    }

    public String toJson() {
        try {
            return JSON.writeValueAsString(this);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static VlmConfig fromJson(String json) {
        try {
            return JSON.readValue(json, VlmConfig.class);
        } catch (IOException e) {
            throw new IllegalArgumentException("not a valid model config: " + e.getMessage(), e);
        }
    }
}
