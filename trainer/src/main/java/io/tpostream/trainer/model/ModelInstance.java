package io.tpostream.trainer.model;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.tpostream.trainer.image.RgbImage;

import ai.djl.ndarray.types.DataType;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A model ready to use: its config, its parameters (owned by one manager on one device), its tokenizer, prompt
 * format and image preprocessing. Closing it frees everything.
 *
 * <p>Models come from a seed ({@link #create}), from our checkpoints ({@link #load}, {@link #fromCheckpoint}) or
 * from a Hugging Face LLaVA directory ({@link #fromHuggingFace}), and go back to one with {@link #exportHuggingFace}.
 * Checkpoint tensors the model does not build (vision layers after the feature layer) are kept aside and written
 * back, so an exported model is complete.
 */
public final class ModelInstance implements AutoCloseable {

    private final VlmConfig config;
    private final NDManager manager;
    private final VisionLanguageModel model;
    private final TextTokenizer tokenizer;
    private final PromptFormat format;
    private final ImagePreprocessor preprocessor;
    private final Map<String, NDArray> unusedTensors = new LinkedHashMap<>();

    private ModelInstance(VlmConfig config, Device device, byte[] tokenizerJson) {
        this.config = config;
        this.tokenizer = new TextTokenizer(tokenizerJson, config.specialTokens());
        try {
            if (tokenizer.imageId() != config.imageTokenId()) {
                throw new IllegalArgumentException("config says image_token_index " + config.imageTokenId()
                        + " but the tokenizer's " + config.specialTokens().image() + " token is " + tokenizer.imageId());
            }
            this.format = new PromptFormat(tokenizer, config.template());
        } catch (RuntimeException e) {
            tokenizer.close();
            throw e;
        }
        this.model = new VisionLanguageModel(config);
        this.manager = NDManager.newBaseManager(device);
        this.preprocessor = new ImagePreprocessor(config.vision().imageSize(), false);
    }

    /** A freshly initialised model (deterministic from the seed). */
    public static ModelInstance create(VlmConfig config, byte[] tokenizerJson, long seed, Device device) {
        ModelInstance m = new ModelInstance(config, device, tokenizerJson);
        ModelWeights.initialize(m.model, m.manager, seed);
        return m;
    }

    /** A model from a checkpoint's config, tokenizer and weights. */
    public static ModelInstance fromCheckpoint(Checkpoint checkpoint, Device device) {
        ModelInstance m = new ModelInstance(checkpoint.config(), device, checkpoint.tokenizerJson());
        ModelWeights.allocate(m.model, m.manager);
        List<String> unused = VisionTower.unusedTensorPrefixes(checkpoint.config());
        ModelWeights.copyInto(m.model, checkpoint.weights(), unused);
        checkpoint.weights().forEach((name, array) -> {
            if (unused.stream().anyMatch(name::startsWith)) {
                m.keepUnused(name, array);
            }
        });
        return m;
    }

    /**
     * A model from a Hugging Face LLaVA directory: {@code config.json} (see {@link HfLlavaConfig}),
     * {@code tokenizer.json}, and safetensors weights, single or sharded, F32/F16/BF16, either naming layout
     * (see {@link HfWeights}).
     */
    public static ModelInstance fromHuggingFace(Path dir, HfLoadOptions options) throws IOException {
        VlmConfig config = HfLlavaConfig.readDirectory(dir);
        if (options.attention() != null) {
            config = config.withAttention(options.attention());
        }
        if (options.specialTokens() != null) {
            config = config.withPrompt(config.template(), options.specialTokens());
        }
        LoraConfig lora = options.adapterDir() != null ? LoraAdapters.readConfig(options.adapterDir()) : options.lora();
        config = config.withLora(lora);
        Path tokenizerFile = options.tokenizerFile() != null ? options.tokenizerFile() : dir.resolve("tokenizer.json");
        if (!Files.exists(tokenizerFile)) {
            throw new IOException(dir + " has no tokenizer.json (llava-hf repositories ship one; a slow-only"
                    + " tokenizer can be converted with transformers' AutoTokenizer.from_pretrained(...).save_pretrained)");
        }
        ModelInstance m = new ModelInstance(config, options.device(), Files.readAllBytes(tokenizerFile));
        try {
            ModelWeights.allocate(m.model, m.manager, options.weightType());
            ModelWeights.initialize(m.model, m.manager, options.adapterSeed(), LoraAdapters::isAdapterTensor);
            HfWeights.load(dir, m.model, LoraAdapters::isAdapterTensor, m.unusedTensors, m.manager);
            if (options.adapterDir() != null) {
                LoraAdapters.load(m.model, options.adapterDir());
            }
            return m;
        } catch (IOException | RuntimeException e) {
            m.close();
            throw e;
        }
    }

    /**
     * Writes the model as a Hugging Face LLaVA directory that transformers loads with
     * {@code LlavaForConditionalGeneration.from_pretrained}; adapters, if any, are merged into the weights (save
     * them alone with {@link LoraAdapters#save}).
     */
    public List<Path> exportHuggingFace(Path dir, HfExport.Options options) throws IOException {
        return HfExport.write(this, dir, options);
    }

    private void keepUnused(String name, NDArray array) {
        NDArray kept = array.duplicate();
        kept.attach(manager);
        unusedTensors.put(name, kept);
    }

    /** Checkpoint tensors this model does not build, kept so that exports and checkpoints stay complete. */
    public Map<String, NDArray> unusedTensors() {
        return java.util.Collections.unmodifiableMap(unusedTensors);
    }

    public static ModelInstance load(Path checkpointFile, Device device) throws IOException {
        try (NDManager scratch = NDManager.newBaseManager(Device.cpu())) {
            return fromCheckpoint(Checkpoint.read(checkpointFile, scratch), device);
        }
    }

    /** A model from checkpoint bytes (an artifact, a replayed version); {@code source} names them in errors. */
    public static ModelInstance load(byte[] checkpoint, String source, Device device) throws IOException {
        try (NDManager scratch = NDManager.newBaseManager(Device.cpu())) {
            return fromCheckpoint(Checkpoint.read(new ByteArrayInputStream(checkpoint), scratch, source), device);
        }
    }

    /** As {@link #load(byte[], String, Device)}, frozen: the reference model of preference training. */
    public static ModelInstance loadFrozen(byte[] checkpoint, String source, Device device) throws IOException {
        try (ModelInstance loaded = load(checkpoint, source, device)) {
            return loaded.frozenCopy();
        }
    }

    /** An independent model with the same weights, e.g. a policy to train from this base. */
    public ModelInstance copy() {
        return copy(DataType.FLOAT32);
    }

    /** An independent model with the same weights stored as {@code weightType} (FLOAT16: inference only). */
    public ModelInstance copy(DataType weightType) {
        ModelInstance copy = new ModelInstance(config, manager.getDevice(), tokenizer.json());
        ModelWeights.allocate(copy.model, copy.manager, weightType);
        copy.copyWeightsFrom(this);
        unusedTensors.forEach(copy::keepUnused);
        return copy;
    }

    /** A copy whose parameters never take gradients: the frozen reference of preference training. */
    public ModelInstance frozenCopy() {
        return frozenCopy(DataType.FLOAT32);
    }

    /**
     * A frozen copy with weights stored as {@code weightType}: FLOAT16 halves a full fine-tune's reference model
     * (its logits still come out float32 for the loss).
     */
    public ModelInstance frozenCopy(DataType weightType) {
        ModelInstance copy = copy(weightType);
        copy.model.freezeParameters(true);
        return copy;
    }

    /** Overwrites this model's weights with another's of the same architecture, in place. */
    public void copyWeightsFrom(ModelInstance other) {
        ModelWeights.copyInto(model, ModelWeights.arrays(other.model), List.of());
    }

    /** A checkpoint holding views of the live weights (write it before changing them). */
    public Checkpoint checkpoint(Map<String, NDArray> optimizerState, Map<String, String> trainerState) {
        Map<String, NDArray> weights = new LinkedHashMap<>(ModelWeights.arrays(model));
        weights.putAll(unusedTensors);
        return new Checkpoint(config, tokenizer.json(), weights, optimizerState, trainerState);
    }

    /** Images as one normalised batch (images, 3, size, size) in {@code target}. */
    public NDArray pixels(List<RgbImage> images, NDManager target) {
        return pixelArray(pixelValues(images), target);
    }

    /** The normalised values of {@link #pixels} on the host, to preprocess once and use in several passes. */
    public float[] pixelValues(List<RgbImage> images) {
        int size = preprocessor.size();
        float[] all = new float[images.size() * 3 * size * size];
        for (int i = 0; i < images.size(); i++) {
            float[] one = preprocessor.toPixels(images.get(i));
            System.arraycopy(one, 0, all, i * one.length, one.length);
        }
        return all;
    }

    /** Values from {@link #pixelValues} as a batch (images, 3, size, size) in {@code target}. */
    public NDArray pixelArray(float[] values, NDManager target) {
        int size = preprocessor.size();
        return target.create(values, new Shape(values.length / (3L * size * size), 3, size, size));
    }

    public Map<String, NDArray> parameters() {
        return ModelWeights.arrays(model);
    }

    public VlmConfig config() {
        return config;
    }

    public VisionLanguageModel model() {
        return model;
    }

    public TextTokenizer tokenizer() {
        return tokenizer;
    }

    public PromptFormat format() {
        return format;
    }

    public NDManager manager() {
        return manager;
    }

    public Device device() {
        return manager.getDevice();
    }

    @Override
    public void close() {
        tokenizer.close();
        manager.close();
    }
}
