package io.tpostream.trainer.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * benchmark.json: how the benchmark was drawn and what it holds.
 *
 * @param popularity the training-distribution ranking the popular and adversarial splits used, most frequent first
 */
public record BenchmarkManifest(int format, long seed, int n, BiasMode bias, double partnerProbability,
                                int imageSize, int maxObjects, int objects, Map<PopeSplit, Integer> popeQuestions,
                                int popeYes, int popeNo, List<ObjectKind> popularity) {

    public static final int FORMAT = 1;
    public static final String FILE = "benchmark.json";
    public static final String POPE_FILE = "pope.jsonl";
    public static final String CAPTIONS_FILE = "captions.jsonl";
    public static final String IMAGES_DIR = "images";

    public BenchmarkManifest {
        popeQuestions = Map.copyOf(popeQuestions);
        popularity = List.copyOf(popularity);
    }

    public int popeTotal() {
        return popeYes + popeNo;
    }

    ObjectNode toJson(ObjectMapper mapper) {
        ObjectNode root = mapper.createObjectNode();
        root.put("format", format);
        root.put("seed", seed);
        root.put("n", n);
        root.put("bias", bias.jsonName());
        root.put("partnerProbability", partnerProbability);
        root.put("imageSize", imageSize);
        root.put("maxObjects", maxObjects);
        ObjectNode files = root.putObject("files");
        files.put("images", IMAGES_DIR);
        files.put("pope", POPE_FILE);
        files.put("captions", CAPTIONS_FILE);
        ObjectNode counts = root.putObject("counts");
        counts.put("images", n);
        counts.put("objects", objects);
        counts.put("captions", n);
        ObjectNode pope = counts.putObject("pope");
        for (PopeSplit split : PopeSplit.values()) {
            pope.put(split.jsonName(), popeQuestions.getOrDefault(split, 0));
        }
        pope.put("yes", popeYes);
        pope.put("no", popeNo);
        pope.put("total", popeTotal());
        ArrayNode ranking = root.putArray("popularity");
        popularity.forEach(k -> ranking.add(k.phrase()));
        return root;
    }

    static BenchmarkManifest fromJson(JsonNode root) {
        JsonNode pope = root.path("counts").path("pope");
        Map<PopeSplit, Integer> perSplit = new EnumMap<>(PopeSplit.class);
        for (PopeSplit split : PopeSplit.values()) {
            perSplit.put(split, pope.path(split.jsonName()).asInt());
        }
        List<ObjectKind> ranking = new ArrayList<>();
        root.path("popularity").forEach(k -> ranking.add(ObjectKind.parse(k.asText())));
        return new BenchmarkManifest(root.path("format").asInt(), root.path("seed").asLong(), root.path("n").asInt(),
                BiasMode.parse(root.path("bias").asText()), root.path("partnerProbability").asDouble(),
                root.path("imageSize").asInt(), root.path("maxObjects").asInt(),
                root.path("counts").path("objects").asInt(), perSplit, pope.path("yes").asInt(),
                pope.path("no").asInt(), ranking);
    }
}
