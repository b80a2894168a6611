package io.tpostream.trainer.model;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.tpostream.schema.Sha256;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CheckpointTest {

    @TempDir
    Path dir;

    @Test
    void roundTripIsExactAndTheFileIsDeterministic() throws Exception {
        try (ModelInstance original = TestModels.microModel(11); NDManager scratch = NDManager.newBaseManager()) {
            NDArray moment = scratch.create(new float[] {1f, 2f, 3f});
            Checkpoint cp = original.checkpoint(Map.of("m/x", moment), Map.of("step", "17", "seed", "5"));
            Path file = dir.resolve("a.ckpt");
            cp.write(file);
            byte[] first = java.nio.file.Files.readAllBytes(file);
            assertEquals(Sha256.hex(first), Sha256.hex(cp.toBytes()), "same weights, same bytes");

            Checkpoint back = Checkpoint.read(file, scratch);
            assertEquals(original.config(), back.config());
            assertEquals("17", back.trainerState().get("step"));
            assertArrayEquals(new float[] {1f, 2f, 3f}, back.optimizerState().get("m/x").toFloatArray());
            try (ModelInstance loaded = ModelInstance.fromCheckpoint(back, Device.cpu())) {
                original.parameters().forEach((name, a) ->
                        assertArrayEquals(a.toFloatArray(), loaded.parameters().get(name).toFloatArray(), name));
                assertEquals(Sha256.hex(first), Sha256.hex(loaded.checkpoint(Map.of("m/x", moment),
                        Map.of("step", "17", "seed", "5")).toBytes()), "re-saving a loaded model changes nothing");
            }
        }
    }

    @Test
    void aMissingOrMisShapedTensorIsNamed() {
        try (ModelInstance m = TestModels.microModel(1); NDManager scratch = NDManager.newBaseManager()) {
            Map<String, NDArray> weights = new LinkedHashMap<>(m.parameters());
            weights.remove("language_model.model.norm.weight");
            IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                    () -> ModelWeights.copyInto(m.model(), weights, List.of()));
            assertTrue(missing.getMessage().contains("language_model.model.norm.weight"), missing.getMessage());

            weights.put("language_model.model.norm.weight", scratch.zeros(new ai.djl.ndarray.types.Shape(7)));
            IllegalArgumentException shape = assertThrows(IllegalArgumentException.class,
                    () -> ModelWeights.copyInto(m.model(), weights, List.of()));
            assertTrue(shape.getMessage().contains("(7)"), shape.getMessage());
        }
    }

    @Test
    void safetensorsReadsHalfPrecisionAndWidensBfloat16() throws Exception {
        try (NDManager m = NDManager.newBaseManager()) {
            float[] values = {0.5f, -1.25f, 3f, 1e-3f};
            NDArray f32 = m.create(values);
            Map<String, NDArray> tensors = Map.of("h", f32.toType(DataType.FLOAT16, false), "f", f32);
            byte[] bytes = Safetensors.toBytes(tensors, Map.of("format", "pt"));
            Safetensors.Contents back = Safetensors.read(new ByteArrayInputStream(bytes), m, "memory");
            assertEquals(DataType.FLOAT16, back.tensors().get("h").getDataType());
            assertArrayEquals(values, back.tensors().get("f").toFloatArray());
            assertEquals("pt", back.metadata().get("format"));

            byte[] bf16 = bf16File("w", Bfloat16.fromFloats(values), 4);
            NDArray widened = Safetensors.read(new ByteArrayInputStream(bf16), m, "bf16").tensors().get("w");
            assertEquals(DataType.FLOAT32, widened.getDataType());
            assertArrayEquals(new float[] {0.5f, -1.25f, 3f, 0.00099945068359375f}, widened.toFloatArray(), 0f,
                    "1e-3 (0x3A83126F) rounds down to bfloat16 0x3A83 = 0.00099945068359375");
        }
    }

    @Test
    void bfloat16RoundsToNearestEven() {
        float[] back = Bfloat16.toFloats(Bfloat16.fromFloats(new float[] {1f, 1.00390625f, 1.01171875f, Float.NaN}));
        assertEquals(1f, back[0]);
        assertEquals(1f, back[1], "exactly half way rounds to the even neighbour");
        assertEquals(1.015625f, back[2], "half way above an odd mantissa rounds up");
        assertTrue(Float.isNaN(back[3]));
    }

    private static byte[] bf16File(String name, byte[] data, int count) {
        String header = "{\"" + name + "\":{\"dtype\":\"BF16\",\"shape\":[" + count + "],\"data_offsets\":[0,"
                + data.length + "]}}";
        byte[] h = header.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(8 + h.length + data.length)
                .order(java.nio.ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h).put(data);
        return b.array();
    }
}
