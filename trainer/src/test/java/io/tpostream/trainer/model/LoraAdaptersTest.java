package io.tpostream.trainer.model;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LoraAdaptersTest {

    private static final LoraConfig LORA = LoraConfig.of(2, 6, List.of("q_proj", "v_proj", "down_proj"));

    @TempDir
    Path temp;

    private static ModelInstance microWithLora(long seed) {
        return ModelInstance.create(TestModels.micro().withLora(LORA), TestModels.tokenizerJson(), seed, Device.cpu());
    }

    /** Gives every adapter random values, as training would, so that B·A is not zero. */
    private static void randomise(ModelInstance m, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        LoraAdapters.arrays(m.model()).forEach((name, a) -> {
            float[] v = new float[(int) a.size()];
            for (int i = 0; i < v.length; i++) {
                v[i] = (float) (0.1 * (random.nextDouble() - 0.5));
            }
            a.set(v);
        });
    }

    private static float[] logits(ModelInstance m) {
        try (NDManager s = m.manager().newSubManager()) {
            long[] ids = m.format().encode("describe the image .", "a red circle .").ids();
            return m.model().logits(m.model().imageFeatures(m.pixels(List.of(TestModels.randomImage(16, 5)), s)),
                    s.create(ids).reshape(1, ids.length), m.format().placeholder()).toFloatArray();
        }
    }

    @Test
    void adaptersSitOnTheTargetedDecoderProjectionsOnlyUnderPeftNames() {
        try (ModelInstance m = microWithLora(1)) {
            Map<String, NDArray> adapters = LoraAdapters.arrays(m.model());
            assertEquals(2 * 3 * 2, adapters.size(), "2 layers × 3 targets × (A, B)");
            assertArrayEquals(new long[] {2, 32}, adapters.get("language_model.model.layers.0.self_attn.q_proj.lora_A.weight")
                    .getShape().getShape(), "A is rank × in");
            assertArrayEquals(new long[] {16, 2}, adapters.get("language_model.model.layers.1.self_attn.v_proj.lora_B.weight")
                    .getShape().getShape(), "B is out × rank (2 key/value heads of 8)");
            assertTrue(adapters.containsKey("language_model.model.layers.1.mlp.down_proj.lora_A.weight"));
            assertTrue(adapters.keySet().stream().noneMatch(n -> n.contains("k_proj") || n.startsWith("vision_tower")),
                    adapters.keySet().toString());
            adapters.forEach((name, a) -> {
                float[] v = a.toFloatArray();
                if (name.contains("lora_B")) {
                    for (float x : v) {
                        assertEquals(0f, x, name + " starts at zero");
                    }
                } else {
                    double bound = 1 / Math.sqrt(a.getShape().get(1));
                    boolean anyNonZero = false;
                    for (float x : v) {
                        assertTrue(Math.abs(x) <= bound, name + ": " + x + " outside ±1/sqrt(fan_in)");
                        anyNonZero |= x != 0;
                    }
                    assertTrue(anyNonZero);
                }
            });
        }
    }

    @Test
    void freshAdaptersChangeNothingAndSwitchingThemOffGivesTheBase() {
        try (ModelInstance base = TestModels.microModel(2); ModelInstance adapted = microWithLora(2)) {
            float[] expected = logits(base);
            assertArrayEquals(expected, logits(adapted), 0f, "B = 0: the adapted model is the base, bit for bit");
            randomise(adapted, 3);
            float[] changed = logits(adapted);
            assertFalse(java.util.Arrays.equals(expected, changed), "trained adapters change the output");
            try (AdapterSwitch.Scope off = adapted.model().adapters().off()) {
                assertArrayEquals(expected, logits(adapted), 0f, "adapters off: the base model");
            }
            assertArrayEquals(changed, logits(adapted), 0f, "closing the scope turns them back on");
        }
    }

    @Test
    void exportMergesEveryAdapterAsBasePlusScaledBTimesA() throws IOException {
        try (ModelInstance adapted = microWithLora(4)) {
            randomise(adapted, 5);
            adapted.exportHuggingFace(temp, HfExport.Options.defaults());
            try (ModelInstance merged = ModelInstance.fromHuggingFace(temp, HfLoadOptions.defaults())) {
                assertFalse(merged.model().hasAdapters());
                assertEquals(null, merged.config().lora());
                Map<String, NDArray> live = adapted.parameters();
                double scale = 6.0 / 2.0;
                merged.parameters().forEach((name, array) -> {
                    float[] actual = array.toFloatArray();
                    String prefix = name.substring(0, name.length() - ".weight".length());
                    NDArray a = live.get(prefix + ".lora_A.weight");
                    if (a == null) {
                        assertArrayEquals(live.get(name).toFloatArray(), actual, 0f, name + " has no adapter: unchanged");
                        return;
                    }
                    float[] w = live.get(name).toFloatArray();
                    float[] av = a.toFloatArray();
                    float[] bv = live.get(prefix + ".lora_B.weight").toFloatArray();
                    int out = (int) array.getShape().get(0);
                    int in = (int) array.getShape().get(1);
                    int rank = 2;
                    for (int o = 0; o < out; o++) {
                        for (int i = 0; i < in; i++) {
                            double delta = 0;
                            for (int r = 0; r < rank; r++) {
                                delta += (double) bv[o * rank + r] * av[r * in + i];
                            }
                            double expected = w[o * in + i] + scale * delta;
                            assertEquals(expected, actual[o * in + i], 1e-6 * Math.max(1, Math.abs(expected)),
                                    name + "[" + o + "," + i + "]");
                        }
                    }
                });
                assertArrayEquals(logits(adapted), logits(merged), 1e-4f, "the merged model computes what the adapted one did");
            }
        }
    }

    @Test
    void adaptersSaveAloneInPeftFormatAndLoadBackOntoTheBase() throws IOException {
        LoraConfig lora = LoraConfig.allProjections(4, 8);
        Path adapterDir = temp.resolve("adapter");
        float[] expected;
        Map<String, float[]> saved = new java.util.LinkedHashMap<>();
        try (ModelInstance m = ModelInstance.fromHuggingFace(TestModels.llavaFixture(),
                HfLoadOptions.defaults().withLora(lora, 7))) {
            randomise(m, 8);
            LoraAdapters.save(m.model(), adapterDir, HfTensorNames.Layout.CLASSIC);
            LoraAdapters.arrays(m.model()).forEach((name, a) -> saved.put(name, a.toFloatArray()));
            expected = llavaLogits(m);
        }
        try (NDManager s = NDManager.newBaseManager()) {
            Map<String, NDArray> file = Safetensors.read(adapterDir.resolve(LoraAdapters.WEIGHTS_FILE), s).tensors();
            assertEquals(saved.size(), file.size(), "adapters only");
            assertTrue(file.containsKey("base_model.model.language_model.model.layers.1.mlp.gate_proj.lora_B.weight"),
                    file.keySet().toString());
        }
        JsonNode config = new ObjectMapper().readTree(adapterDir.resolve(LoraAdapters.CONFIG_FILE).toFile());
        assertEquals("LORA", config.get("peft_type").asText());
        assertEquals(4, config.get("r").asInt());
        assertEquals(8.0, config.get("lora_alpha").asDouble());
        // PEFT matches a string target with re.fullmatch against module names, in either transformers layout
        Pattern targets = Pattern.compile(config.get("target_modules").asText());
        assertTrue(targets.matcher("language_model.model.layers.0.self_attn.q_proj").matches());
        assertTrue(targets.matcher("model.language_model.layers.3.mlp.down_proj").matches());
        assertFalse(targets.matcher("vision_tower.vision_model.encoder.layers.0.self_attn.q_proj").matches());
        assertFalse(targets.matcher("model.vision_tower.vision_model.encoder.layers.0.self_attn.q_proj").matches());
        assertEquals(lora, LoraAdapters.readConfig(adapterDir));
        try (ModelInstance back = ModelInstance.fromHuggingFace(TestModels.llavaFixture(),
                HfLoadOptions.defaults().withAdapterDir(adapterDir))) {
            LoraAdapters.arrays(back.model()).forEach((name, a) -> assertArrayEquals(saved.get(name), a.toFloatArray(), name));
            assertArrayEquals(expected, llavaLogits(back), 0f);
        }
        try (ModelInstance half = ModelInstance.fromHuggingFace(TestModels.llavaFixture(),
                HfLoadOptions.defaults().withAdapterDir(adapterDir).withWeightType(ai.djl.ndarray.types.DataType.FLOAT16))) {
            assertArrayEquals(expected, llavaLogits(half), 5e-2f, "adapters serve in half precision too");
        }
    }

    private static float[] llavaLogits(ModelInstance m) {
        try (NDManager s = m.manager().newSubManager()) {
            long[] ids = m.format().encode("is the red shape a circle?", "the red one.").ids();
            return m.model().logits(m.model().imageFeatures(m.pixels(List.of(TestModels.randomImage(16, 9)), s)),
                    s.create(ids).reshape(1, ids.length), m.format().placeholder()).toFloatArray();
        }
    }

    @Test
    void settingsTheTrainerCannotReplayAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new LoraConfig(8, 16, List.of("q_proj"), 0.05));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> LoraConfig.of(8, 16, List.of("fc1")));
        assertTrue(e.getMessage().contains("fc1"), e.getMessage());
        assertEquals(List.of("q_proj", "v_proj"), LoraConfig.parseTargets(" q_proj, v_proj ,"));
    }

    @Test
    void checkpointsKeepTheAdapters() throws IOException {
        try (ModelInstance m = microWithLora(10); NDManager s = NDManager.newBaseManager()) {
            randomise(m, 11);
            Checkpoint back = Checkpoint.read(new java.io.ByteArrayInputStream(m.checkpoint(Map.of(), Map.of()).toBytes()),
                    s, "memory");
            assertEquals(LORA, back.config().lora());
            try (ModelInstance loaded = ModelInstance.fromCheckpoint(back, Device.cpu())) {
                assertArrayEquals(logits(m), logits(loaded), 0f);
            }
        }
    }
}
