package io.tpostream.ops.cli;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import io.tpostream.ops.testing.Cli;
import io.tpostream.trainer.model.HfLoadOptions;
import io.tpostream.trainer.model.ModelInstance;
import io.tpostream.trainer.model.TestModels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ModelCommandsTest {

    @TempDir
    Path dir;

    @Test
    void aHuggingFaceModelBecomesACheckpointAndGoesBackWithTheSameWeights() throws IOException {
        Path fixture = TestModels.llavaFixture();
        Path checkpoint = dir.resolve("base/llava.ckpt");
        Cli.Result imported = Cli.run("model", "import", "--hf", fixture.toString(), "--out", checkpoint.toString());
        assertEquals(0, imported.exitCode(), imported.toString());
        assertTrue(imported.out().startsWith("imported " + fixture + ": "), imported.out());

        Path exported = dir.resolve("hf");
        Cli.Result back = Cli.run("model", "export", "--checkpoint", checkpoint.toString(), "--out",
                exported.toString(), "--copy-files-from", fixture.toString());
        assertEquals(0, back.exitCode(), back.toString());
        assertTrue(Files.exists(exported.resolve("config.json")) && Files.exists(exported.resolve("tokenizer.json")));

        try (ModelInstance original = TestModels.llavaFixtureModel();
             ModelInstance trainable = ModelInstance.load(checkpoint, Device.cpu());
             ModelInstance roundTrip = ModelInstance.fromHuggingFace(exported, HfLoadOptions.defaults())) {
            assertEquals(original.config(), trainable.config(), "the checkpoint keeps the architecture");
            assertSameWeights(original.parameters(), trainable.parameters());
            assertSameWeights(original.parameters(), roundTrip.parameters());
            assertEquals(original.unusedTensors().keySet(), roundTrip.unusedTensors().keySet(),
                    "the unused vision layer travels along, so the export is a complete checkpoint");
        }
    }

    @Test
    void refusesToOverwriteAndSaysWhatIsWrong() throws IOException {
        Path existing = Files.writeString(dir.resolve("taken.ckpt"), "x");
        Cli.Result overwrite = Cli.run("model", "import", "--hf", TestModels.llavaFixture().toString(), "--out",
                existing.toString());
        assertEquals(1, overwrite.exitCode(), overwrite.toString());
        assertTrue(overwrite.err().startsWith("tpo model import: error: " + existing + " exists"), overwrite.err());

        Cli.Result notAModel = Cli.run("model", "import", "--hf", dir.toString(), "--out",
                dir.resolve("x.ckpt").toString());
        assertEquals(1, notAModel.exitCode(), notAModel.toString());
        assertTrue(notAModel.err().contains("config.json"), notAModel.err());

        Cli.Result alone = Cli.run("model");
        assertEquals(2, alone.exitCode(), alone.toString());
        assertTrue(alone.err().startsWith("tpo model: missing subcommand: import, export"), alone.err());

        Cli.Result badType = Cli.run("model", "export", "--checkpoint", existing.toString(), "--out",
                dir.resolve("o").toString(), "--dtype", "int8");
        assertEquals(2, badType.exitCode(), badType.toString());
        assertTrue(badType.err().contains("--dtype: use float32, float16 or bfloat16, not 'int8'"), badType.err());
    }

    private static void assertSameWeights(Map<String, NDArray> expected, Map<String, NDArray> actual) {
        assertEquals(expected.keySet(), actual.keySet());
        expected.forEach((name, array) -> assertArrayEquals(array.toFloatArray(), actual.get(name).toFloatArray(), name));
    }
}
