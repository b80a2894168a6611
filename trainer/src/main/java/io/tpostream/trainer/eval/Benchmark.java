package io.tpostream.trainer.eval;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tpostream.trainer.image.RgbImage;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A benchmark directory read back (see {@link BenchmarkWriter} for the layout). The static readers also take a
 * single jsonl file, whose image paths are relative to the file's directory.
 */
public record Benchmark(Path dir, BenchmarkManifest manifest, List<PopeProbe> pope, List<CaptionTruth> captions) {

    public Benchmark {
        pope = List.copyOf(pope);
        captions = List.copyOf(captions);
    }

    public static Benchmark read(Path dir) throws IOException {
        JsonNode manifest = new ObjectMapper().readTree(dir.resolve(BenchmarkManifest.FILE).toFile());
        return new Benchmark(dir, BenchmarkManifest.fromJson(manifest),
                readPope(dir.resolve(BenchmarkManifest.POPE_FILE)),
                readCaptions(dir.resolve(BenchmarkManifest.CAPTIONS_FILE)));
    }

    /** Decodes an image named relative to this benchmark's directory. */
    public RgbImage image(String relativePath) throws IOException {
        return RgbImage.decode(Files.readAllBytes(dir.resolve(relativePath)));
    }

    /** Decodes an image named, as in the jsonl files, relative to {@code jsonlFile}'s directory. */
    public static RgbImage readImage(Path jsonlFile, String relativePath) throws IOException {
        Path base = jsonlFile.toAbsolutePath().getParent();
        return RgbImage.decode(Files.readAllBytes(base.resolve(relativePath)));
    }

    public static List<PopeProbe> readPope(Path jsonlFile) throws IOException {
        List<PopeProbe> probes = new ArrayList<>();
        for (JsonNode line : readLines(jsonlFile)) {
            probes.add(new PopeProbe(text(line, "image"), text(line, "question"), text(line, "label"),
                    PopeSplit.parse(text(line, "split"))));
        }
        return probes;
    }

    public static List<CaptionTruth> readCaptions(Path jsonlFile) throws IOException {
        List<CaptionTruth> truths = new ArrayList<>();
        for (JsonNode line : readLines(jsonlFile)) {
            List<ObjectKind> objects = new ArrayList<>();
            line.path("objects").forEach(o -> objects.add(ObjectKind.parse(o.asText())));
            truths.add(new CaptionTruth(text(line, "image"), objects));
        }
        return truths;
    }

    private static List<JsonNode> readLines(Path file) throws IOException {
        ObjectMapper mapper = new ObjectMapper();
        List<JsonNode> lines = new ArrayList<>();
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            int number = 0;
            while ((line = in.readLine()) != null) {
                number++;
                if (line.isBlank()) {
                    continue;
                }
                try {
                    lines.add(mapper.readTree(line));
                } catch (JsonProcessingException e) {
                    throw new IOException(file + ":" + number + ": not JSON: " + e.getOriginalMessage(), e);
                }
            }
        }
        return lines;
    }

    private static String text(JsonNode line, String field) throws IOException {
        JsonNode v = line.get(field);
        if (v == null || !v.isTextual()) {
            throw new IOException("missing text field '" + field + "' in " + line);
        }
        return v.asText();
    }
}
