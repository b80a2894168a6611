package io.tpostream.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The low-rank adapters of a {@link VisionLanguageModel}: where they sit, their arrays, merging them into the base
 * weights, and PEFT's adapter format ({@code adapter_model.safetensors} with names
 * {@code base_model.model.<hf name>.lora_A.weight}, plus {@code adapter_config.json}), so an adapter trained here
 * loads with {@code PeftModel.from_pretrained} on the same base model.
 */
public final class LoraAdapters {

    public static final String WEIGHTS_FILE = "adapter_model.safetensors";
    public static final String CONFIG_FILE = "adapter_config.json";

    private static final String DECODER = "language_model.model.layers.";
    private static final String PEFT_PREFIX = "base_model.model.";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS);
    private static final Pattern OUR_TARGET_REGEX = Pattern.compile("\\.\\*language_model\\.\\*\\\\\\.\\((.*)\\)");

    private LoraAdapters() {
    }

    /** Puts an adapter on every targeted projection of every decoder layer (nowhere else). */
    static void attach(VisionLanguageModel model, LoraConfig lora, AdapterSwitch enabled) {
        model.namedBlocks().forEach((name, block) -> {
            if (block instanceof Dense dense && name.startsWith(DECODER)
                    && lora.targets(name.substring(name.lastIndexOf('.') + 1))) {
                dense.attachAdapter(lora.rank(), lora.scale(), enabled);
            }
        });
    }

    public static boolean isAdapterTensor(String name) {
        return name.contains(".lora_A.") || name.contains(".lora_B.");
    }

    /** The adapters' live arrays by name (empty for a model without adapters). */
    public static Map<String, NDArray> arrays(VisionLanguageModel model) {
        Map<String, NDArray> out = new LinkedHashMap<>();
        ModelWeights.arrays(model).forEach((name, array) -> {
            if (isAdapterTensor(name)) {
                out.put(name, array);
            }
        });
        return out;
    }

    /** The projections that carry an adapter, by the name of the base weight the adapter adds to. */
    static Map<String, Dense> adaptedWeights(VisionLanguageModel model) {
        Map<String, Dense> out = new LinkedHashMap<>();
        model.namedBlocks().forEach((name, block) -> {
            if (block instanceof Dense dense && dense.hasAdapter()) {
                out.put(name + ".weight", dense);
            }
        });
        return out;
    }

    /**
     * One base tensor as an export needs it: for an adapted projection W + (alpha/r)·B·A, created in
     * {@code target}; otherwise the live array itself.
     */
    static NDArray mergedTensor(String name, NDArray live, Map<String, Dense> adapted, NDManager target) {
        Dense dense = adapted.get(name);
        return dense == null ? live : dense.mergedWeight(target);
    }

    /** The base weights with every adapter merged in, created in {@code target} (adapter tensors left out). */
    public static Map<String, NDArray> mergedWeights(VisionLanguageModel model, NDManager target) {
        Map<String, Dense> adapted = adaptedWeights(model);
        Map<String, NDArray> out = new LinkedHashMap<>();
        ModelWeights.arrays(model).forEach((name, array) -> {
            if (!isAdapterTensor(name)) {
                out.put(name, mergedTensor(name, array, adapted, target));
            }
        });
        return out;
    }

    /** Writes the adapters alone, in PEFT's format, into {@code dir}. */
    public static void save(VisionLanguageModel model, Path dir, HfTensorNames.Layout layout) throws IOException {
        LoraConfig lora = model.config().lora();
        if (lora == null) {
            throw new IllegalStateException("the model has no adapters to save");
        }
        Files.createDirectories(dir);
        Map<String, NDArray> named = new LinkedHashMap<>();
        arrays(model).forEach((name, array) -> named.put(PEFT_PREFIX + HfTensorNames.toHf(name, layout), array));
        try (OutputStream out = Files.newOutputStream(dir.resolve(WEIGHTS_FILE))) {
            Safetensors.write(out, named, Map.of("format", "pt"));
        }
        Files.writeString(dir.resolve(CONFIG_FILE), JSON.writeValueAsString(peftConfig(lora)));
    }

    private static ObjectNode peftConfig(LoraConfig lora) {
        ObjectNode c = JSON.createObjectNode();
        c.put("peft_type", "LORA");
        c.putNull("task_type");
        c.putNull("base_model_name_or_path");
        c.put("r", lora.rank());
        c.put("lora_alpha", lora.alpha());
        c.put("lora_dropout", lora.dropout());
        // a regex rather than a list: a list would also match the vision tower's q_proj/k_proj/v_proj
        c.put("target_modules", ".*language_model.*\\.(" + String.join("|", lora.targetModules()) + ")");
        c.put("bias", "none");
        c.put("fan_in_fan_out", false);
        c.put("init_lora_weights", true);
        c.put("use_rslora", false);
        c.put("use_dora", false);
        c.putNull("modules_to_save");
        c.put("inference_mode", true);
        return c;
    }

    /** The adapter settings of a PEFT adapter directory. */
    public static LoraConfig readConfig(Path dir) throws IOException {
        JsonNode c = JSON.readTree(Files.readString(dir.resolve(CONFIG_FILE)));
        if (!c.path("peft_type").asText("LORA").equals("LORA")) {
            throw new IllegalArgumentException(dir + ": peft_type " + c.get("peft_type") + " is not LORA");
        }
        for (String unsupported : new String[] {"use_rslora", "use_dora", "fan_in_fan_out"}) {
            if (c.path(unsupported).asBoolean(false)) {
                throw new IllegalArgumentException(dir + ": " + unsupported + " adapters are not supported");
            }
        }
        if (!c.path("bias").asText("none").equals("none")) {
            throw new IllegalArgumentException(dir + ": adapters with trained biases are not supported");
        }
        return new LoraConfig(c.path("r").asInt(), c.path("lora_alpha").asDouble(), targets(c.path("target_modules")),
                c.path("lora_dropout").asDouble(0));
    }

    private static List<String> targets(JsonNode node) {
        List<String> out = new ArrayList<>();
        if (node.isArray()) {
            node.forEach(n -> out.add(n.asText()));
            return out;
        }
        Matcher m = OUR_TARGET_REGEX.matcher(node.asText());
        if (!m.matches()) {
            throw new IllegalArgumentException("target_modules '" + node.asText() + "' is neither a list nor the"
                    + " '.*language_model.*\\.(a|b)' form this project writes");
        }
        return List.of(m.group(1).split("\\|"));
    }

    /**
     * Loads a PEFT adapter's tensors into a model built with the same adapter settings, in place. Every adapter
     * tensor must be in the file with its shape, and the file may hold nothing else.
     */
    public static void load(VisionLanguageModel model, Path dir) throws IOException {
        LoraConfig expected = model.config().lora();
        LoraConfig found = readConfig(dir);
        if (expected == null || expected.rank() != found.rank() || expected.alpha() != found.alpha()
                || !expected.targetModules().stream().sorted().toList()
                        .equals(found.targetModules().stream().sorted().toList())) {
            throw new IllegalArgumentException(dir + " holds adapters " + found + " but the model was built with "
                    + expected);
        }
        try (NDManager scratch = ModelWeights.arrays(model).values().iterator().next().getManager().newSubManager()) {
            Map<String, NDArray> source = new LinkedHashMap<>();
            Safetensors.read(dir.resolve(WEIGHTS_FILE), scratch).tensors().forEach((name, array) -> {
                if (!name.startsWith(PEFT_PREFIX)) {
                    throw new IllegalArgumentException(dir + ": tensor '" + name + "' is not named " + PEFT_PREFIX
                            + "...");
                }
                source.put(HfTensorNames.toModel(name.substring(PEFT_PREFIX.length())), array);
            });
            Map<String, NDArray> adapters = arrays(model);
            for (String name : source.keySet()) {
                if (!adapters.containsKey(name)) {
                    throw new IllegalArgumentException(dir + ": adapter tensor '" + name + "' has no place in this model");
                }
            }
            adapters.forEach((name, target) -> {
                NDArray value = source.get(name);
                if (value == null) {
                    throw new IllegalArgumentException(dir + " has no adapter tensor '" + name + "'");
                }
                if (!value.getShape().equals(target.getShape())) {
                    throw new IllegalArgumentException("adapter tensor '" + name + "' has shape " + value.getShape()
                            + " but this model needs " + target.getShape());
                }
                ModelWeights.copyValue(target, value);
            });
        }
    }
}
