package io.tpostream.trainer.model;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.tpostream.trainer.image.RgbImage;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A model ready to use: its config, its parameters (owned by one manager on one device), its tokenizer, prompt
 * format and image preprocessing. Closing it frees everything.
 */
public final class ModelInstance implements AutoCloseable {

    private final VlmConfig config;
    private final NDManager manager;
    private final VisionLanguageModel model;
    private final TextTokenizer tokenizer;
    private final PromptFormat format;
    private final ImagePreprocessor preprocessor;

    private ModelInstance(VlmConfig config, Device device, byte[] tokenizerJson) {
        this.config = config;
        this.manager = NDManager.newBaseManager(device);
        this.model = new VisionLanguageModel(config);
        this.tokenizer = new TextTokenizer(tokenizerJson, config.specialTokens());
        if (tokenizer.imageId() != config.imageTokenId()) {
            tokenizer.close();
            manager.close();
            throw new IllegalArgumentException("config says image_token_index " + config.imageTokenId()
                    + " but the tokenizer's <image> token is " + tokenizer.imageId());
        }
        this.format = new PromptFormat(tokenizer, config.template());
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
        ModelWeights.copyInto(m.model, checkpoint.weights(), VisionTower.unusedTensorPrefixes(checkpoint.config()));
        return m;
    }

    public static ModelInstance load(Path checkpointFile, Device device) throws IOException {
        try (NDManager scratch = NDManager.newBaseManager(Device.cpu())) {
            return fromCheckpoint(Checkpoint.read(checkpointFile, scratch), device);
        }
    }

    /** An independent model with the same weights, e.g. a policy to train from this base. */
    public ModelInstance copy() {
        ModelInstance copy = new ModelInstance(config, manager.getDevice(), tokenizer.json());
        ModelWeights.allocate(copy.model, copy.manager);
        copy.copyWeightsFrom(this);
        return copy;
    }

    /** A copy whose parameters never take gradients: the frozen reference of preference training. */
    public ModelInstance frozenCopy() {
        ModelInstance copy = copy();
        copy.model.freezeParameters(true);
        return copy;
    }

    /** Overwrites this model's weights with another's of the same architecture, in place. */
    public void copyWeightsFrom(ModelInstance other) {
        ModelWeights.copyInto(model, ModelWeights.arrays(other.model), List.of());
    }

    /** A checkpoint holding views of the live weights (write it before changing them). */
    public Checkpoint checkpoint(Map<String, NDArray> optimizerState, Map<String, String> trainerState) {
        return new Checkpoint(config, tokenizer.json(), ModelWeights.arrays(model), optimizerState, trainerState);
    }

    /** Images as one normalised batch (images, 3, size, size) in {@code target}. */
    public NDArray pixels(List<RgbImage> images, NDManager target) {
        int size = preprocessor.size();
        float[] all = new float[images.size() * 3 * size * size];
        for (int i = 0; i < images.size(); i++) {
            float[] one = preprocessor.toPixels(images.get(i));
            System.arraycopy(one, 0, all, i * one.length, one.length);
        }
        return target.create(all, new Shape(images.size(), 3, size, size));
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
