package io.tpostream.trainer.eval;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Writes a benchmark directory:
 * <pre>
 *   benchmark.json   the manifest ({@link BenchmarkManifest})
 *   images/NNNNN.png scene i rendered (i from 0, five digits)
 *   pope.jsonl       {"image": "images/00001.png", "question": "is there a red circle ?", "label": "yes", "split": "random"}
 *   captions.jsonl   {"image": "images/00001.png", "objects": ["red circle", ...]}
 * </pre>
 * Image paths are relative to the jsonl files. The same spec always writes the same bytes. Existing files of
 * these names are replaced.
 */
public final class BenchmarkWriter {

    private BenchmarkWriter() {
    }

    public static BenchmarkManifest write(Path outDir, BenchmarkSpec spec) throws IOException {
        ProbeSet set = ProbeSet.generate(spec);
        List<ObjectKind> popularity = spec.trainingWorld().popularity();
        Files.createDirectories(outDir.resolve(BenchmarkManifest.IMAGES_DIR));
        ObjectMapper mapper = new ObjectMapper();
        Map<PopeSplit, Integer> perSplit = new EnumMap<>(PopeSplit.class);
        int objects = 0;
        int yes = 0;
        int no = 0;
        try (BufferedWriter pope = Files.newBufferedWriter(outDir.resolve(BenchmarkManifest.POPE_FILE),
                StandardCharsets.UTF_8);
             BufferedWriter captions = Files.newBufferedWriter(outDir.resolve(BenchmarkManifest.CAPTIONS_FILE),
                     StandardCharsets.UTF_8)) {
            for (CaptionTruth truth : set.captions()) {
                Files.write(outDir.resolve(truth.image()), set.image(truth.image()).encodePng());
                objects += truth.objects().size();
                captions.write(mapper.writeValueAsString(captionLine(mapper, truth)));
                captions.write('\n');
            }
            for (PopeProbe probe : set.pope()) {
                pope.write(mapper.writeValueAsString(popeLine(mapper, probe)));
                pope.write('\n');
                perSplit.merge(probe.split(), 1, Integer::sum);
                if (probe.labelYes()) {
                    yes++;
                } else {
                    no++;
                }
            }
        }
        SceneWorld.Config c = spec.world();
        BenchmarkManifest manifest = new BenchmarkManifest(BenchmarkManifest.FORMAT, spec.seed(), spec.n(),
                c.mode(), c.bias().strength(), c.imageSize(), c.maxObjects(), objects, perSplit, yes, no,
                popularity);
        Files.writeString(outDir.resolve(BenchmarkManifest.FILE),
                mapper.enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(manifest.toJson(mapper)) + "\n",
                StandardCharsets.UTF_8);
        return manifest;
    }

    /** "images/00042.png". */
    public static String imagePath(int index) {
        return String.format("%s/%05d.png", BenchmarkManifest.IMAGES_DIR, index);
    }

    private static ObjectNode captionLine(ObjectMapper mapper, CaptionTruth truth) {
        ObjectNode line = mapper.createObjectNode();
        line.put("image", truth.image());
        ArrayNode objects = line.putArray("objects");
        truth.objects().forEach(k -> objects.add(k.phrase()));
        return line;
    }

    private static ObjectNode popeLine(ObjectMapper mapper, PopeProbe probe) {
        ObjectNode line = mapper.createObjectNode();
        line.put("image", probe.image());
        line.put("question", probe.question());
        line.put("label", probe.label());
        line.put("split", probe.split().jsonName());
        return line;
    }
}
