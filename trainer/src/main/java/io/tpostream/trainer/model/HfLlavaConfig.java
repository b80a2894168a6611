package io.tpostream.trainer.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * A Hugging Face LLaVA {@code config.json} ({@code model_type} llava, class {@code LlavaForConditionalGeneration})
 * read into a {@link VlmConfig}, and written back.
 *
 * <p>Hugging Face configs leave every field that equals its class default out, and LLaVA's hub configs rely on
 * that: llava-1.5-7b-hf's {@code text_config} names only the vocabulary, the context length and the RMSNorm epsilon,
 * so the width, depth and head count of LLaMA-7B come from {@code LlamaConfig}'s defaults. The defaults applied
 * here are those of transformers' classes:
 * <ul>
 *   <li>{@code LlavaConfig}: image_token_index 32000, vision_feature_layer -2, vision_feature_select_strategy
 *       default, projector_hidden_act gelu, multimodal_projector_bias true; without any {@code vision_config} the
 *       CLIP ViT-L/14 at 336 px LLaVA-1.5 uses (hidden 1024, 24 layers, 16 heads, MLP 4096, patch 14); without
 *       any {@code text_config} a default {@code LlamaConfig}.</li>
 *   <li>{@code LlamaConfig}: vocab_size 32000, hidden_size 4096, intermediate_size 11008, num_hidden_layers 32,
 *       num_attention_heads 32, num_key_value_heads = num_attention_heads, hidden_act silu,
 *       max_position_embeddings 2048, rms_norm_eps 1e-6, rope_theta 10000, no rope_scaling, no attention or MLP
 *       biases, untied embeddings.</li>
 *   <li>{@code CLIPVisionConfig}: hidden_size 768, intermediate_size 3072, num_hidden_layers 12,
 *       num_attention_heads 12, num_channels 3, image_size 224, patch_size 32, hidden_act quick_gelu,
 *       layer_norm_eps 1e-5.</li>
 * </ul>
 * Settings the model cannot honour (another text or vision family, rope scaling, biases, tied embeddings, several
 * feature layers) are refused with the key named, rather than silently computing something else. Our own keys
 * ({@code tpo_attention}, {@code tpo_prompt_format}, {@code tpo_special_tokens}) are read when present; a plain
 * Hugging Face config gets causal attention and the LLaVA prompt template, as the model was trained.
 */
public final class HfLlavaConfig {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private HfLlavaConfig() {
    }

    /**
     * The config of a model directory. Special tokens come from the config's {@code tpo_special_tokens} when it has
     * them, else from {@code special_tokens_map.json} (bos, eos and pad; the image token is {@code <image>}), else
     * llava-hf's usual ones.
     */
    public static VlmConfig readDirectory(Path dir) throws IOException {
        Path file = dir.resolve("config.json");
        if (!Files.exists(file)) {
            throw new IOException(dir + " has no config.json: not a Hugging Face model directory");
        }
        String json = Files.readString(file);
        VlmConfig config = read(json);
        Path map = dir.resolve("special_tokens_map.json");
        if (JSON.readTree(json).has("tpo_special_tokens") || !Files.exists(map)) {
            return config;
        }
        JsonNode tokens = JSON.readTree(Files.readString(map));
        TextTokenizer.SpecialTokens usual = config.specialTokens();
        return config.withPrompt(config.template(), new TextTokenizer.SpecialTokens(
                tokenText(tokens.get("pad_token"), null), tokenText(tokens.get("bos_token"), usual.bos()),
                tokenText(tokens.get("eos_token"), usual.eos()), usual.image(), usual.separator()));
    }

    /** A token in special_tokens_map.json is either its text or an object with a "content" field. */
    private static String tokenText(JsonNode node, String fallback) {
        if (node == null || node.isNull()) {
            return fallback;
        }
        return node.isObject() ? node.path("content").asText(fallback) : node.asText();
    }

    public static VlmConfig read(String json) {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (IOException e) {
            throw new IllegalArgumentException("config.json is not valid JSON: " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException("config.json must hold a JSON object");
        }
        expect(root, "model_type", "llava", "");
        JsonNode vision = root.path("vision_config");
        JsonNode text = root.path("text_config");
        if (root.path("vision_feature_layer").isArray()) {
            throw new IllegalArgumentException("vision_feature_layer is a list (features of several layers"
                    + " concatenated): only a single layer is supported");
        }
        refuse(root, "multimodal_projector_bias", false, "projectors without biases are not supported");
        refuse(root, "tie_word_embeddings", true, "tied input/output embeddings are not supported");
        VlmConfig.VisionConfig visionConfig = vision.isObject() ? visionConfig(vision) : llavaDefaultVision();
        VlmConfig.TextConfig textConfig = textConfig(text.isObject() ? text : JSON.createObjectNode(),
                intOr(root, "vocab_size", 32000));
        TextTokenizer.SpecialTokens special = root.has("tpo_special_tokens")
                ? JSON.convertValue(root.get("tpo_special_tokens"), TextTokenizer.SpecialTokens.class) : null;
        VlmConfig config = new VlmConfig(visionConfig, textConfig,
                intOr(root, "image_token_index", 32000),
                intOr(root, "vision_feature_layer", -2),
                textOr(root, "projector_hidden_act", "gelu"),
                textOr(root, "tpo_attention", "causal"),
                textOr(root, "vision_feature_select_strategy", "default"),
                textOr(root, "tpo_prompt_format", PromptFormat.Template.LLAVA.configName()),
                special, null);
        if (root.has("image_seq_length") && root.get("image_seq_length").asInt() != config.imageSeqLength()) {
            throw new IllegalArgumentException("image_seq_length " + root.get("image_seq_length").asInt()
                    + " does not match the vision tower, which gives " + config.imageSeqLength() + " image tokens");
        }
        return config;
    }

    private static VlmConfig.VisionConfig visionConfig(JsonNode v) {
        expect(v, "model_type", "clip_vision_model", "vision_config.");
        if (intOr(v, "num_channels", 3) != 3) {
            throw new IllegalArgumentException("vision_config.num_channels must be 3 (RGB), was " + v.get("num_channels"));
        }
        return new VlmConfig.VisionConfig(
                intOr(v, "image_size", 224),
                intOr(v, "patch_size", 32),
                intOr(v, "hidden_size", 768),
                intOr(v, "num_hidden_layers", 12),
                intOr(v, "num_attention_heads", 12),
                intOr(v, "intermediate_size", 3072),
                doubleOr(v, "layer_norm_eps", 1e-5),
                textOr(v, "hidden_act", "quick_gelu"));
    }

    /** What LlavaConfig builds when the config has no vision_config at all: LLaVA-1.5's CLIP ViT-L/14-336. */
    private static VlmConfig.VisionConfig llavaDefaultVision() {
        return new VlmConfig.VisionConfig(336, 14, 1024, 24, 16, 4096, 1e-5, "quick_gelu");
    }

    private static VlmConfig.TextConfig textConfig(JsonNode t, int fallbackVocab) {
        expect(t, "model_type", "llama", "text_config.");
        String act = textOr(t, "hidden_act", "silu");
        if (!act.equals("silu")) {
            throw new IllegalArgumentException("text_config.hidden_act '" + act + "' is not supported (silu)");
        }
        if (t.hasNonNull("rope_scaling")) {
            throw new IllegalArgumentException("text_config.rope_scaling " + t.get("rope_scaling")
                    + " is not supported (plain rotary embeddings only)");
        }
        refuse(t, "text_config.", "attention_bias", true, "attention projections with biases are not supported");
        refuse(t, "text_config.", "mlp_bias", true, "MLP projections with biases are not supported");
        refuse(t, "text_config.", "tie_word_embeddings", true, "tied input/output embeddings are not supported");
        int hidden = intOr(t, "hidden_size", 4096);
        int heads = intOr(t, "num_attention_heads", 32);
        if (t.hasNonNull("head_dim") && heads > 0 && t.get("head_dim").asInt() != hidden / heads) {
            throw new IllegalArgumentException("text_config.head_dim " + t.get("head_dim").asInt()
                    + " differs from hidden_size / num_attention_heads = " + hidden / Math.max(heads, 1)
                    + ": not supported");
        }
        return new VlmConfig.TextConfig(
                intOr(t, "vocab_size", fallbackVocab),
                hidden,
                intOr(t, "num_hidden_layers", 32),
                heads,
                intOr(t, "num_key_value_heads", heads),
                intOr(t, "intermediate_size", 11008),
                doubleOr(t, "rms_norm_eps", 1e-6),
                doubleOr(t, "rope_theta", 10000),
                intOr(t, "max_position_embeddings", 2048));
    }

    /**
     * A complete Hugging Face config for the model: every field written out, so transformers builds exactly this
     * architecture whatever its defaults, plus our {@code tpo_} keys so the directory loads back unchanged here.
     *
     * @param torchDtype the {@code torch_dtype} to record: float32, float16 or bfloat16
     */
    public static String write(VlmConfig c, String torchDtype) {
        ObjectNode root = JSON.createObjectNode();
        root.putArray("architectures").add("LlavaForConditionalGeneration");
        root.put("model_type", "llava");
        root.put("ignore_index", (int) PromptFormat.IGNORE);
        root.put("image_token_index", c.imageTokenId());
        root.put("image_seq_length", c.imageSeqLength());
        root.put("vision_feature_layer", c.visionFeatureLayer());
        root.put("vision_feature_select_strategy", c.featureSelectStrategy());
        root.put("projector_hidden_act", c.projectorHiddenAct());
        root.put("multimodal_projector_bias", true);
        root.put("tie_word_embeddings", false);
        root.put("torch_dtype", torchDtype);
        ObjectNode t = root.putObject("text_config");
        t.putArray("architectures").add("LlamaForCausalLM");
        t.put("model_type", "llama");
        t.put("vocab_size", c.text().vocabSize());
        t.put("hidden_size", c.text().hiddenSize());
        t.put("intermediate_size", c.text().intermediateSize());
        t.put("num_hidden_layers", c.text().numLayers());
        t.put("num_attention_heads", c.text().numHeads());
        t.put("num_key_value_heads", c.text().numKvHeads());
        t.put("hidden_act", "silu");
        t.put("max_position_embeddings", c.text().maxPositions());
        t.put("rms_norm_eps", c.text().rmsNormEps());
        t.put("rope_theta", c.text().ropeTheta());
        t.put("attention_bias", false);
        t.put("mlp_bias", false);
        t.put("tie_word_embeddings", false);
        t.put("torch_dtype", torchDtype);
        ObjectNode v = root.putObject("vision_config");
        v.put("model_type", "clip_vision_model");
        v.put("hidden_size", c.vision().hiddenSize());
        v.put("intermediate_size", c.vision().intermediateSize());
        v.put("num_hidden_layers", c.vision().numLayers());
        v.put("num_attention_heads", c.vision().numHeads());
        v.put("num_channels", 3);
        v.put("image_size", c.vision().imageSize());
        v.put("patch_size", c.vision().patchSize());
        v.put("hidden_act", c.vision().hiddenAct());
        v.put("layer_norm_eps", c.vision().layerNormEps());
        root.put("tpo_attention", c.attention());
        root.put("tpo_prompt_format", c.promptFormat());
        root.set("tpo_special_tokens", JSON.valueToTree(c.specialTokens()));
        try {
            return JSON.writeValueAsString(root);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void expect(JsonNode node, String key, String wanted, String where) {
        if (node.hasNonNull(key) && !node.get(key).asText().equals(wanted)) {
            throw new IllegalArgumentException(where + key + " '" + node.get(key).asText() + "' is not supported ("
                    + wanted + ")");
        }
    }

    private static void refuse(JsonNode node, String key, boolean refused, String why) {
        refuse(node, "", key, refused, why);
    }

    private static void refuse(JsonNode node, String where, String key, boolean refused, String why) {
        if (node.hasNonNull(key) && node.get(key).asBoolean() == refused) {
            throw new IllegalArgumentException(where + key + " = " + refused + ": " + why);
        }
    }

    private static int intOr(JsonNode node, String key, int fallback) {
        return node.hasNonNull(key) ? node.get(key).asInt() : fallback;
    }

    private static double doubleOr(JsonNode node, String key, double fallback) {
        return node.hasNonNull(key) ? node.get(key).asDouble() : fallback;
    }

    private static String textOr(JsonNode node, String key, String fallback) {
        return node.hasNonNull(key) ? node.get(key).asText().toLowerCase(Locale.ROOT) : fallback;
    }
}
