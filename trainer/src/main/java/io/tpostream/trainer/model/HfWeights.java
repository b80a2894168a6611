package io.tpostream.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * Weights in a Hugging Face model directory: {@code model.safetensors}, or shards listed by
 * {@code model.safetensors.index.json}'s {@code weight_map}. F32, F16 and BF16 tensors all load (BF16 widened in
 * Java), under either naming layout ({@link HfTensorNames}).
 *
 * <p>Loading checks every header before reading any data, so a wrong config fails in milliseconds, naming the first
 * missing, mis-shaped or unexpected tensor; then tensors stream into the model's arrays one at a time, so memory
 * never holds more than the model plus one tensor.
 */
public final class HfWeights {

    public static final String SINGLE_FILE = "model.safetensors";
    public static final String INDEX_FILE = "model.safetensors.index.json";
    /** transformers' default max_shard_size. */
    public static final long DEFAULT_SHARD_BYTES = 5_000_000_000L;

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private HfWeights() {
    }

    /** The weight files of a directory, index first if there is one. */
    public static List<Path> files(Path dir) throws IOException {
        Path index = dir.resolve(INDEX_FILE);
        if (Files.exists(index)) {
            JsonNode map = JSON.readTree(Files.readString(index)).path("weight_map");
            if (!map.isObject() || map.isEmpty()) {
                throw new IOException(index + " has no weight_map");
            }
            Set<String> names = new LinkedHashSet<>();
            map.forEach(file -> names.add(file.asText()));
            List<Path> out = new ArrayList<>();
            for (String name : names) {
                Path shard = dir.resolve(name).normalize();
                if (!shard.startsWith(dir.normalize()) || !Files.exists(shard)) {
                    throw new IOException(index + " lists shard '" + name + "', which is not in " + dir);
                }
                out.add(shard);
            }
            return out;
        }
        Path single = dir.resolve(SINGLE_FILE);
        if (Files.exists(single)) {
            return List.of(single);
        }
        throw new IOException(dir + " has neither " + SINGLE_FILE + " nor " + INDEX_FILE
                + " (only safetensors weights are read; convert .bin checkpoints with transformers first)");
    }

    /**
     * Copies the directory's weights into the model's allocated arrays, in place.
     *
     * @param optional names of model tensors the directory need not have (they keep their values)
     * @param unused   receives tensors the model deliberately does not build (the vision layers after the feature
     *                 layer, post_layernorm), so an export can write them back; null to drop them
     * @return the tensor count and the stored types seen, for logging
     */
    public static Summary load(Path dir, VisionLanguageModel model, Predicate<String> optional,
                               Map<String, NDArray> unused, NDManager unusedManager) throws IOException {
        List<Path> files = files(dir);
        Map<String, NamedBlock.Spec> specs = model.namedSpecs();
        List<String> unusedPrefixes = VisionTower.unusedTensorPrefixes(model.config());
        Map<String, Path> located = new LinkedHashMap<>();
        Set<DataType> types = new LinkedHashSet<>();
        for (Path file : files) {
            for (Safetensors.TensorInfo info : Safetensors.readHeader(file).tensors().values()) {
                String name = HfTensorNames.toModel(info.name());
                Path before = located.put(name, file);
                if (before != null) {
                    throw new IllegalArgumentException("tensor '" + info.name() + "' is in both " + before.getFileName()
                            + " and " + file.getFileName());
                }
                types.add(info.storedType());
                check(name, info, file, specs, unusedPrefixes);
            }
        }
        for (var e : specs.entrySet()) {
            if (!located.containsKey(e.getKey()) && !optional.test(e.getKey())) {
                throw new IllegalArgumentException(dir + " has no tensor '" + e.getKey() + "' (shape "
                        + e.getValue().shape() + ") that this architecture needs");
            }
        }
        NDManager scratchParent = specs.values().iterator().next().parameter().getArray().getManager();
        for (Path file : files) {
            try (NDManager scratch = scratchParent.newSubManager(); InputStream in = Files.newInputStream(file)) {
                Safetensors.stream(in, scratch, file.toString(), (hfName, tensor) -> {
                    String name = HfTensorNames.toModel(hfName);
                    NamedBlock.Spec spec = specs.get(name);
                    if (spec != null) {
                        ModelWeights.copyValue(spec.parameter().getArray(), tensor);
                        tensor.close();
                    } else if (unused != null && !HfTensorNames.isBuffer(name)) {
                        tensor.attach(unusedManager); // outlives the scratch manager
                        unused.put(name, tensor);
                    } else {
                        tensor.close();
                    }
                });
            }
        }
        return new Summary(located.size(), types);
    }

    /** What a load read. */
    public record Summary(int tensors, Set<DataType> storedTypes) {
    }

    private static void check(String name, Safetensors.TensorInfo info, Path file, Map<String, NamedBlock.Spec> specs,
                              List<String> unusedPrefixes) {
        NamedBlock.Spec spec = specs.get(name);
        if (spec == null) {
            if (HfTensorNames.isBuffer(name) || unusedPrefixes.stream().anyMatch(name::startsWith)) {
                return;
            }
            throw new IllegalArgumentException(file.getFileName() + " has a tensor '" + info.name()
                    + "' this architecture does not have: is the config right for these weights?");
        }
        if (!info.storedType().isFloating()) {
            throw new IllegalArgumentException("tensor '" + info.name() + "' in " + file.getFileName() + " is "
                    + info.storedType() + ", not floating point");
        }
        if (!info.shape().equals(spec.shape())) {
            throw new IllegalArgumentException("tensor '" + info.name() + "' in " + file.getFileName() + " has shape "
                    + info.shape() + " but this architecture needs " + spec.shape());
        }
    }

    /**
     * Writes tensors (this model's names) as Hugging Face weights: one {@code model.safetensors}, or shards of at most
     * {@code maxShardBytes} each (a tensor larger than that gets a shard of its own) with an index, named as
     * transformers names them. Tensors are produced one shard at a time by {@code source}, so merged LoRA weights
     * never exist for the whole model at once.
     *
     * @param storeAs FLOAT32, FLOAT16 or BFLOAT16
     * @return the files written
     */
    public static List<Path> save(Path dir, Map<String, Long> elementCounts, TensorSource source, DataType storeAs,
                                  HfTensorNames.Layout layout, long maxShardBytes) throws IOException {
        if (storeAs != DataType.FLOAT32 && storeAs != DataType.FLOAT16 && storeAs != DataType.BFLOAT16) {
            throw new IllegalArgumentException("weights are stored as float32, float16 or bfloat16, not " + storeAs);
        }
        Files.createDirectories(dir);
        List<List<String>> shards = new ArrayList<>();
        long filled = Long.MAX_VALUE;
        long total = 0;
        for (var e : new TreeMap<>(elementCounts).entrySet()) {
            long bytes = e.getValue() * storeAs.getNumOfBytes();
            if (filled + bytes > maxShardBytes || shards.isEmpty()) {
                shards.add(new ArrayList<>());
                filled = 0;
            }
            shards.get(shards.size() - 1).add(e.getKey());
            filled += bytes;
            total += bytes;
        }
        Files.deleteIfExists(dir.resolve(INDEX_FILE));
        List<Path> written = new ArrayList<>();
        Map<String, String> weightMap = new TreeMap<>();
        for (int i = 0; i < shards.size(); i++) {
            String fileName = shards.size() == 1 ? SINGLE_FILE
                    : String.format("model-%05d-of-%05d.safetensors", i + 1, shards.size());
            Path file = dir.resolve(fileName);
            try (ShardTensors tensors = source.open(shards.get(i)); OutputStream out = Files.newOutputStream(file)) {
                Map<String, NDArray> named = new LinkedHashMap<>();
                tensors.tensors().forEach((name, array) -> named.put(HfTensorNames.toHf(name, layout), array));
                named.keySet().forEach(name -> weightMap.put(name, fileName));
                Safetensors.write(out, named, Map.of("format", "pt"), storeAs);
            }
            written.add(file);
        }
        if (shards.size() > 1) {
            ObjectNode index = JSON.createObjectNode();
            index.putObject("metadata").put("total_size", total);
            ObjectNode map = index.putObject("weight_map");
            weightMap.forEach(map::put);
            Path indexFile = dir.resolve(INDEX_FILE);
            Files.writeString(indexFile, JSON.writeValueAsString(index));
            written.add(indexFile);
        }
        return written;
    }

    /** Produces the tensors of one shard on demand; closing releases whatever it created for them. */
    @FunctionalInterface
    public interface TensorSource {
        ShardTensors open(List<String> names);
    }

    /** One shard's tensors by this model's names. */
    public interface ShardTensors extends AutoCloseable {
        Map<String, NDArray> tensors();

        @Override
        void close();
    }
}
