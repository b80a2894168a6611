package io.tpostream.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HuggingFaceWeightsTest {

    @TempDir
    Path temp;

    @Test
    void exportAndLoadBackInEveryPrecision() throws IOException {
        try (ModelInstance original = TestModels.microModel(31)) {
            Map<String, float[]> values = new LinkedHashMap<>();
            original.parameters().forEach((name, a) -> values.put(name, a.toFloatArray()));
            // relative rounding error bounds: half an ulp of an 11-bit (float16) or 8-bit (bfloat16) significand
            Map<DataType, Double> bound = Map.of(DataType.FLOAT32, 0.0, DataType.FLOAT16, 0x1p-11,
                    DataType.BFLOAT16, 0x1p-8);
            for (DataType type : List.of(DataType.FLOAT32, DataType.FLOAT16, DataType.BFLOAT16)) {
                Path dir = temp.resolve(type.name());
                original.exportHuggingFace(dir, HfExport.Options.defaults().withStoreAs(type));
                Safetensors.Header header = Safetensors.readHeader(dir.resolve(HfWeights.SINGLE_FILE));
                header.tensors().values().forEach(t -> assertEquals(type, t.storedType(), t.name()));
                try (ModelInstance back = ModelInstance.fromHuggingFace(dir, HfLoadOptions.defaults())) {
                    assertEquals(original.config(), back.config());
                    assertEquals(DataType.FLOAT32, back.model().weightType(), "loaded weights are float32 for training");
                    back.parameters().forEach((name, a) -> {
                        float[] expected = values.get(name);
                        float[] actual = a.toFloatArray();
                        for (int i = 0; i < expected.length; i++) {
                            double allowed = Math.abs(expected[i]) * bound.get(type) + 1e-7 * (type == DataType.FLOAT32 ? 0 : 1);
                            assertTrue(Math.abs(expected[i] - actual[i]) <= allowed,
                                    type + " " + name + "[" + i + "]: " + expected[i] + " came back as " + actual[i]);
                        }
                    });
                }
            }
        }
    }

    @Test
    void largeModelsAreShardedWithAnIndexAndLoadBack() throws IOException {
        long limit = 20_000;
        try (ModelInstance original = TestModels.microModel(32)) {
            List<Path> written = original.exportHuggingFace(temp, HfExport.Options.defaults().withMaxShardBytes(limit));
            assertFalse(Files.exists(temp.resolve(HfWeights.SINGLE_FILE)));
            JsonNode index = new ObjectMapper().readTree(temp.resolve(HfWeights.INDEX_FILE).toFile());
            List<Path> shards = HfWeights.files(temp);
            assertTrue(shards.size() > 2, shards.toString());
            assertTrue(written.containsAll(shards));
            long total = 0;
            Set<String> indexed = new HashSet<>();
            index.get("weight_map").fieldNames().forEachRemaining(indexed::add);
            for (Path shard : shards) {
                assertTrue(shard.getFileName().toString().matches("model-0000\\d-of-0000\\d\\.safetensors"), shard.toString());
                Safetensors.Header header = Safetensors.readHeader(shard);
                long bytes = header.tensors().values().stream().mapToLong(Safetensors.TensorInfo::bytes).sum();
                assertTrue(bytes <= limit || header.tensors().size() == 1, shard + " holds " + bytes + " bytes");
                for (String name : header.tensors().keySet()) {
                    assertEquals(shard.getFileName().toString(), index.get("weight_map").get(name).asText());
                }
                total += bytes;
            }
            assertEquals(original.parameters().keySet(), indexed);
            assertEquals(total, index.get("metadata").get("total_size").asLong());
            try (ModelInstance back = ModelInstance.fromHuggingFace(temp, HfLoadOptions.defaults())) {
                original.parameters().forEach((name, a) ->
                        assertArrayEquals(a.toFloatArray(), back.parameters().get(name).toFloatArray(), name));
            }
        }
    }

    @Test
    void theCurrentTransformersLayoutIsWrittenAndRead() throws IOException {
        try (ModelInstance original = TestModels.microModel(33)) {
            original.exportHuggingFace(temp, HfExport.Options.defaults().withLayout(HfTensorNames.Layout.CURRENT));
            Set<String> names = Safetensors.readHeader(temp.resolve(HfWeights.SINGLE_FILE)).tensors().keySet();
            assertTrue(names.contains("lm_head.weight"));
            assertTrue(names.contains("model.language_model.layers.0.self_attn.q_proj.weight"));
            assertTrue(names.contains("model.vision_tower.vision_model.pre_layrnorm.weight"));
            assertTrue(names.contains("model.multi_modal_projector.linear_1.bias"));
            assertTrue(names.stream().noneMatch(n -> n.startsWith("language_model.")), names.toString());
            try (ModelInstance back = ModelInstance.fromHuggingFace(temp, HfLoadOptions.defaults())) {
                original.parameters().forEach((name, a) ->
                        assertArrayEquals(a.toFloatArray(), back.parameters().get(name).toFloatArray(), name));
            }
        }
    }

    @Test
    void theFirstMissingMisShapedOrForeignTensorIsNamed() throws IOException {
        try (ModelInstance original = TestModels.microModel(34); NDManager s = NDManager.newBaseManager()) {
            Map<String, NDArray> weights = new LinkedHashMap<>(original.parameters());
            weights.remove("language_model.model.layers.1.mlp.up_proj.weight");
            assertLoadFails(weights, "language_model.model.layers.1.mlp.up_proj.weight");

            weights = new LinkedHashMap<>(original.parameters());
            weights.put("language_model.model.norm.weight", s.zeros(new Shape(31)));
            assertLoadFails(weights, "'language_model.model.norm.weight' in model.safetensors has shape (31)");

            weights = new LinkedHashMap<>(original.parameters());
            weights.put("language_model.model.layers.7.mlp.up_proj.weight", s.zeros(new Shape(64, 32)));
            assertLoadFails(weights, "language_model.model.layers.7.mlp.up_proj.weight");

            weights = new LinkedHashMap<>(original.parameters());
            weights.put("vision_tower.vision_model.embeddings.position_ids", s.arange(0L, 5L).reshape(1, 5));
            writeWeights(weights);
            try (ModelInstance loaded = ModelInstance.fromHuggingFace(temp, HfLoadOptions.defaults())) {
                assertTrue(loaded.unusedTensors().isEmpty(), "recomputed buffers are skipped, not kept");
            }
        }
    }

    private void assertLoadFails(Map<String, NDArray> weights, String named) throws IOException {
        writeWeights(weights);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ModelInstance.fromHuggingFace(temp, HfLoadOptions.defaults()).close());
        assertTrue(e.getMessage().contains(named), e.getMessage());
    }

    private void writeWeights(Map<String, NDArray> weights) throws IOException {
        try (ModelInstance m = TestModels.microModel(34)) {
            m.exportHuggingFace(temp, HfExport.Options.defaults());
        }
        try (OutputStream out = Files.newOutputStream(temp.resolve(HfWeights.SINGLE_FILE))) {
            Safetensors.write(out, weights, Map.of("format", "pt"));
        }
    }

    @Test
    void visionLayersTheModelDoesNotBuildAreExportedUnchanged() throws IOException {
        Path fixture = TestModels.llavaFixture();
        try (ModelInstance m = TestModels.llavaFixtureModel(); NDManager s = NDManager.newBaseManager()) {
            assertTrue(m.unusedTensors().containsKey("vision_tower.vision_model.encoder.layers.2.mlp.fc1.weight"));
            assertTrue(m.unusedTensors().containsKey("vision_tower.vision_model.post_layernorm.bias"));
            m.exportHuggingFace(temp, HfExport.Options.defaults());
            Map<String, NDArray> exported = Safetensors.read(temp.resolve(HfWeights.SINGLE_FILE), s).tensors();
            Map<String, NDArray> original = new LinkedHashMap<>();
            for (Path shard : HfWeights.files(fixture)) {
                original.putAll(Safetensors.read(shard, s).tensors());
            }
            for (String name : List.of("vision_tower.vision_model.encoder.layers.2.mlp.fc1.weight",
                    "vision_tower.vision_model.post_layernorm.bias")) {
                assertArrayEquals(original.get(HfTensorNames.toHf(name, HfTensorNames.Layout.CURRENT)).toFloatArray(),
                        exported.get(name).toFloatArray(), name);
            }
            assertEquals(Files.readString(fixture.resolve("tokenizer.json")), Files.readString(temp.resolve("tokenizer.json")));
            try (ModelInstance back = ModelInstance.fromHuggingFace(temp, HfLoadOptions.defaults())) {
                assertEquals(m.config(), back.config());
                assertEquals(m.unusedTensors().keySet(), back.unusedTensors().keySet());
            }
        }
    }

    @Test
    void otherFilesOfTheSourceDirectoryAreCopiedOver() throws IOException {
        Path source = temp.resolve("source");
        Files.createDirectories(source);
        Files.writeString(source.resolve("preprocessor_config.json"), "{\"crop_size\": 336}");
        Files.writeString(source.resolve("config.json"), "{\"must\": \"not be copied\"}");
        try (ModelInstance m = TestModels.microModel(35)) {
            Path out = temp.resolve("out");
            m.exportHuggingFace(out, HfExport.Options.defaults().withCopyFilesFrom(source));
            assertEquals("{\"crop_size\": 336}", Files.readString(out.resolve("preprocessor_config.json")));
            assertEquals(m.config(), HfLlavaConfig.readDirectory(out));
        }
    }
}
