package io.tpostream.trainer.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BenchmarkTest {

    @Test
    void writesWhatTheWorldDrawsAndReadsItBack(@TempDir Path dir) throws IOException {
        BenchmarkSpec spec = BenchmarkSpec.of(17, 8, BiasMode.TRAIN, 32);
        BenchmarkManifest written = BenchmarkWriter.write(dir, spec);
        Benchmark b = Benchmark.read(dir);
        assertEquals(written, b.manifest());
        SceneWorld world = new SceneWorld(spec.world());

        assertEquals(8, b.captions().size());
        int objects = 0;
        for (int i = 0; i < 8; i++) {
            Scene scene = world.scene(17, i);
            CaptionTruth truth = b.captions().get(i);
            assertEquals(String.format("images/%05d.png", i), truth.image());
            assertEquals(scene.kinds(), truth.objects());
            assertEquals(world.render(scene), b.image(truth.image()));
            objects += scene.objects().size();
        }
        assertEquals(objects, b.manifest().objects());
        // per image and split: one yes per object and as many no's
        assertEquals(3 * 2 * objects, b.pope().size());
        assertEquals(b.pope().size(), b.manifest().popeTotal());
        for (PopeSplit split : PopeSplit.values()) {
            assertEquals(2 * objects, b.manifest().popeQuestions().get(split));
        }
        for (PopeProbe p : b.pope()) {
            Scene scene = world.scene(17, Integer.parseInt(p.image().substring(7, 12)));
            assertEquals(SceneText.answer(scene, p.object()), p.label(), p.toString());
        }
        assertEquals(spec.trainingWorld().popularity(), b.manifest().popularity());
    }

    @Test
    void aProbeSetReadFromDiskEqualsTheOneGeneratedInMemory(@TempDir Path dir) throws IOException {
        BenchmarkSpec spec = BenchmarkSpec.of(23, 6, BiasMode.NONE, 32);
        BenchmarkWriter.write(dir, spec);
        ProbeSet fromDisk = ProbeSet.load(Benchmark.read(dir));
        ProbeSet inMemory = ProbeSet.generate(spec);
        assertEquals(inMemory.captions(), fromDisk.captions());
        assertEquals(inMemory.pope(), fromDisk.pope());
        assertEquals(inMemory.images(), fromDisk.images(), "PNG round trip is lossless");
    }

    @Test
    void linesFollowTheDocumentedFormat(@TempDir Path dir) throws IOException {
        BenchmarkWriter.write(dir, BenchmarkSpec.of(3, 2, BiasMode.NONE, 40));
        ObjectMapper mapper = new ObjectMapper();
        JsonNode pope = mapper.readTree(Files.readAllLines(dir.resolve("pope.jsonl")).get(0));
        assertEquals(List.of("image", "question", "label", "split"), fieldNames(pope));
        assertEquals("images/00000.png", pope.get("image").asText());
        assertTrue(pope.get("question").asText().startsWith("is there a"));
        assertEquals("random", pope.get("split").asText());
        JsonNode caption = mapper.readTree(Files.readAllLines(dir.resolve("captions.jsonl")).get(1));
        assertEquals(List.of("image", "objects"), fieldNames(caption));
        assertTrue(caption.get("objects").get(0).asText().matches("[a-z]+ [a-z]+"));
        JsonNode manifest = mapper.readTree(dir.resolve("benchmark.json").toFile());
        assertEquals("none", manifest.get("bias").asText());
        assertEquals(40, manifest.get("imageSize").asInt());
        assertEquals(3, manifest.get("seed").asLong());
        assertEquals(2, manifest.get("counts").get("images").asInt());
        assertEquals(40, Benchmark.readImage(dir.resolve("pope.jsonl"), "images/00001.png").width());
    }

    @Test
    void sameSpecWritesTheSameBytes(@TempDir Path dir) throws IOException {
        BenchmarkSpec spec = BenchmarkSpec.of(5, 3, BiasMode.TRAIN, 32);
        BenchmarkWriter.write(dir.resolve("a"), spec);
        BenchmarkWriter.write(dir.resolve("b"), spec);
        for (String f : List.of("benchmark.json", "pope.jsonl", "captions.jsonl", "images/00002.png")) {
            assertArrayEquals(Files.readAllBytes(dir.resolve("a").resolve(f)),
                    Files.readAllBytes(dir.resolve("b").resolve(f)), f);
        }
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new java.util.ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
