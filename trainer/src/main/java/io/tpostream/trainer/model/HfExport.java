package io.tpostream.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A {@link ModelInstance} written as a Hugging Face LLaVA directory: {@code config.json} with every field explicit,
 * the weights (adapters merged in, shard by shard), {@code tokenizer.json} and {@code special_tokens_map.json}.
 * The image processor's and chat template's files are not ours to write: name the directory the model came from
 * in {@link Options#copyFilesFrom} and its other small files are copied over.
 */
public final class HfExport {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final Set<String> WRITTEN_HERE = Set.of("config.json", "tokenizer.json", "special_tokens_map.json",
            HfWeights.INDEX_FILE);

    private HfExport() {
    }

    /**
     * @param storeAs        FLOAT32, FLOAT16 or BFLOAT16 (narrowed in Java)
     * @param layout         tensor naming; CLASSIC loads in every transformers version
     * @param maxShardBytes  largest shard; {@link HfWeights#DEFAULT_SHARD_BYTES} as transformers
     * @param copyFilesFrom  a directory whose other JSON and tokenizer files to copy (preprocessor_config.json,
     *                       tokenizer_config.json, chat_template.json, tokenizer.model ...), or null
     */
    public record Options(DataType storeAs, HfTensorNames.Layout layout, long maxShardBytes, Path copyFilesFrom) {

        public static Options defaults() {
            return new Options(DataType.FLOAT32, HfTensorNames.Layout.CLASSIC, HfWeights.DEFAULT_SHARD_BYTES, null);
        }

        public Options withStoreAs(DataType type) {
            return new Options(type, layout, maxShardBytes, copyFilesFrom);
        }

        public Options withLayout(HfTensorNames.Layout newLayout) {
            return new Options(storeAs, newLayout, maxShardBytes, copyFilesFrom);
        }

        public Options withMaxShardBytes(long bytes) {
            return new Options(storeAs, layout, bytes, copyFilesFrom);
        }

        public Options withCopyFilesFrom(Path dir) {
            return new Options(storeAs, layout, maxShardBytes, dir);
        }
    }

    static List<Path> write(ModelInstance instance, Path dir, Options options) throws IOException {
        Files.createDirectories(dir);
        List<Path> written = new ArrayList<>();
        if (options.copyFilesFrom() != null) {
            written.addAll(copyOtherFiles(options.copyFilesFrom(), dir));
        }
        VisionLanguageModel model = instance.model();
        Map<String, NDArray> base = new LinkedHashMap<>();
        ModelWeights.arrays(model).forEach((name, array) -> {
            if (!LoraAdapters.isAdapterTensor(name)) {
                base.put(name, array);
            }
        });
        base.putAll(instance.unusedTensors());
        Map<String, Long> counts = new LinkedHashMap<>();
        base.forEach((name, array) -> counts.put(name, array.getShape().size()));
        Map<String, Dense> adapted = LoraAdapters.adaptedWeights(model);
        written.addAll(HfWeights.save(dir, counts, names -> shard(names, base, adapted, instance.manager()),
                options.storeAs(), options.layout(), options.maxShardBytes()));
        Path config = dir.resolve("config.json");
        Files.writeString(config, HfLlavaConfig.write(instance.config().withLora(null), torchDtype(options.storeAs())));
        Path tokenizer = dir.resolve("tokenizer.json");
        Files.write(tokenizer, instance.tokenizer().json());
        Path specials = dir.resolve("special_tokens_map.json");
        Files.writeString(specials, specialTokensMap(instance.config().specialTokens()));
        written.addAll(List.of(config, tokenizer, specials));
        return written;
    }

    private static HfWeights.ShardTensors shard(List<String> names, Map<String, NDArray> base,
                                                Map<String, Dense> adapted, NDManager parent) {
        NDManager scratch = parent.newSubManager();
        Map<String, NDArray> tensors = new LinkedHashMap<>();
        for (String name : names) {
            tensors.put(name, LoraAdapters.mergedTensor(name, base.get(name), adapted, scratch));
        }
        return new HfWeights.ShardTensors() {
            @Override
            public Map<String, NDArray> tensors() {
                return tensors;
            }

            @Override
            public void close() {
                scratch.close();
            }
        };
    }

    private static String specialTokensMap(TextTokenizer.SpecialTokens tokens) throws IOException {
        ObjectNode map = JSON.createObjectNode();
        map.put("bos_token", tokens.bos());
        map.put("eos_token", tokens.eos());
        map.put("pad_token", tokens.pad() == null ? tokens.eos() : tokens.pad());
        map.put("image_token", tokens.image());
        return JSON.writeValueAsString(map);
    }

    private static String torchDtype(DataType type) {
        return switch (type) {
            case FLOAT32 -> "float32";
            case FLOAT16 -> "float16";
            case BFLOAT16 -> "bfloat16";
            default -> throw new IllegalArgumentException("weights are stored as float32, float16 or bfloat16, not "
                    + type);
        };
    }

    private static List<Path> copyOtherFiles(Path from, Path to) throws IOException {
        List<Path> copied = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(from)) {
            for (Path file : files) {
                String name = file.getFileName().toString();
                boolean small = name.endsWith(".json") || name.equals("tokenizer.model") || name.endsWith(".jinja");
                if (Files.isRegularFile(file) && small && !WRITTEN_HERE.contains(name)
                        && !name.endsWith(".safetensors")) {
                    copied.add(Files.copy(file, to.resolve(name), StandardCopyOption.REPLACE_EXISTING));
                }
            }
        }
        return copied;
    }
}
