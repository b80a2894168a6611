package io.tpostream.trainer.model;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HfLlavaConfigTest {

    static String resource(String path) {
        try (InputStream in = HfLlavaConfigTest.class.getResourceAsStream(path)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** llava-hf/llava-1.5-7b-hf's config.json as published: the text config leaves LLaMA-7B's shape to defaults. */
    static VlmConfig llava7b() {
        return HfLlavaConfig.read(resource("/hf/llava-1.5-7b-hf-config.json"));
    }

    @Test
    void llava15SevenBReadsWithLlamaAndClipClassDefaults() {
        VlmConfig c = llava7b();
        assertEquals(new VlmConfig.VisionConfig(336, 14, 1024, 24, 16, 4096, 1e-5, "quick_gelu"), c.vision());
        assertEquals(new VlmConfig.TextConfig(32064, 4096, 32, 32, 32, 11008, 1e-5, 10000, 4096), c.text());
        assertEquals(32000, c.imageTokenId());
        assertEquals(-2, c.visionFeatureLayer());
        assertEquals(23, c.featureHiddenStateIndex(), "hidden_states[-2] of 25 = after layer 23 of 24");
        assertEquals("default", c.featureSelectStrategy());
        assertEquals(576, c.imageSeqLength(), "(336 / 14)^2 patches, class token dropped");
        assertFalse(c.prefixAttention(), "a Hugging Face LLaVA was trained causally");
        assertEquals(PromptFormat.Template.LLAVA, c.template());
        assertEquals(TextTokenizer.SpecialTokens.llava(), c.specialTokens());
    }

    @Test
    void theBuiltModelHasLlava7bsParametersLessTheUnusedLastVisionLayer() {
        VisionLanguageModel model = new VisionLanguageModel(llava7b());
        long published = 7_063_427_072L; // LlavaForConditionalGeneration llava-1.5-7b-hf, all tensors
        long clipLayer = 4 * (1024L * 1024 + 1024) + (1024L * 4096 + 4096) + (4096L * 1024 + 1024) + 4 * 1024;
        long postLayerNorm = 2 * 1024;
        assertEquals(published - clipLayer - postLayerNorm, ModelWeights.parameterCount(model));
    }

    @Test
    void fullStrategyKeepsTheClassTokenAndImageSeqLengthIsChecked() {
        String json = resource("/hf/llava-1.5-7b-hf-config.json");
        String full = json.replace("\"vision_feature_select_strategy\": \"default\"",
                "\"vision_feature_select_strategy\": \"full\"").replace("\"image_seq_length\": 576", "\"image_seq_length\": 577");
        VlmConfig c = HfLlavaConfig.read(full);
        assertTrue(c.keepsClassToken());
        assertEquals(577, c.imageSeqLength());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> HfLlavaConfig.read(
                json.replace("\"image_seq_length\": 576", "\"image_seq_length\": 600")));
        assertTrue(e.getMessage().contains("image_seq_length 600"), e.getMessage());
    }

    @Test
    void aConfigWithoutSubConfigsGetsLlavasClipAndLlamasDefaults() {
        VlmConfig c = HfLlavaConfig.read("{\"model_type\": \"llava\", \"vocab_size\": 32064}");
        assertEquals(new VlmConfig.VisionConfig(336, 14, 1024, 24, 16, 4096, 1e-5, "quick_gelu"), c.vision());
        assertEquals(new VlmConfig.TextConfig(32064, 4096, 32, 32, 32, 11008, 1e-6, 10000, 2048), c.text());
        IllegalArgumentException inconsistent = assertThrows(IllegalArgumentException.class,
                () -> HfLlavaConfig.read("{\"model_type\": \"llava\"}"));
        assertTrue(inconsistent.getMessage().contains("image_token_index 32000"),
                "all defaults put the image token (32000) outside LLaMA's 32000-token vocabulary");
        VlmConfig partial = HfLlavaConfig.read("{\"vision_config\": {\"model_type\": \"clip_vision_model\"},"
                + " \"vocab_size\": 32064}");
        assertEquals(new VlmConfig.VisionConfig(224, 32, 768, 12, 12, 3072, 1e-5, "quick_gelu"), partial.vision(),
                "a vision_config that is present takes CLIPVisionConfig's own defaults");
    }

    @Test
    void writtenConfigReadsBackUnchangedWithOurKeys() {
        VlmConfig prefix = llava7b().withAttention("prefix").withFeatureSelectStrategy("full");
        String written = HfLlavaConfig.write(prefix, "float16");
        assertEquals(prefix, HfLlavaConfig.read(written));
        assertTrue(written.contains("\"num_key_value_heads\" : 32"), "every field is explicit: " + written);
        VlmConfig scene = TestModels.micro();
        assertEquals(scene, HfLlavaConfig.read(HfLlavaConfig.write(scene, "float32")));
    }

    @Test
    void unsupportedSettingsAreRefusedByName() {
        String json = resource("/hf/llava-1.5-7b-hf-config.json");
        assertRefused(json.replace("\"model_type\": \"llama\"", "\"model_type\": \"mistral\""), "text_config.model_type");
        assertRefused(json.replace("\"model_type\": \"clip_vision_model\"", "\"model_type\": \"siglip_vision_model\""),
                "vision_config.model_type");
        assertRefused(json.replace("\"rms_norm_eps\": 1e-05,", "\"rms_norm_eps\": 1e-05, \"rope_scaling\": {\"type\": \"linear\", \"factor\": 2.0},"),
                "rope_scaling");
        assertRefused(json.replace("\"vision_feature_layer\": -2", "\"vision_feature_layer\": [-2, -5]"),
                "vision_feature_layer");
        assertRefused(json.replace("\"tie_word_embeddings\": false", "\"tie_word_embeddings\": true"),
                "tie_word_embeddings");
        assertRefused(json.replace("\"model_type\": \"llava\"", "\"model_type\": \"llava_next\""), "model_type 'llava_next'");
    }

    private static void assertRefused(String json, String named) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> HfLlavaConfig.read(json));
        assertTrue(e.getMessage().contains(named), e.getMessage());
    }

    @Test
    void ourCheckpointConfigsStillReadAndDefaultToTheSceneFormat() {
        String old = "{\"vision_config\":{\"image_size\":16,\"patch_size\":8,\"hidden_size\":32,\"num_hidden_layers\":2,"
                + "\"num_attention_heads\":2,\"intermediate_size\":64,\"layer_norm_eps\":1e-5,\"hidden_act\":\"quick_gelu\"},"
                + "\"text_config\":{\"vocab_size\":24,\"hidden_size\":32,\"num_hidden_layers\":2,\"num_attention_heads\":4,"
                + "\"num_key_value_heads\":2,\"intermediate_size\":64,\"rms_norm_eps\":1e-6,\"rope_theta\":10000,"
                + "\"max_position_embeddings\":64},\"image_token_index\":4,\"vision_feature_layer\":-2,"
                + "\"projector_hidden_act\":\"gelu\",\"tpo_attention\":\"prefix\"}";
        VlmConfig c = VlmConfig.fromJson(old);
        assertEquals(TestModels.micro(), c);
        assertEquals(PromptFormat.Template.SCENE, c.template());
        assertEquals(c, VlmConfig.fromJson(c.toJson()));
        VlmConfig withLora = c.withLora(LoraConfig.of(4, 8, java.util.List.of("q_proj", "v_proj")));
        assertEquals(withLora, VlmConfig.fromJson(withLora.toJson()));
    }
}
