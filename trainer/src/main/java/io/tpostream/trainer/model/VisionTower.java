package io.tpostream.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.nn.convolutional.Conv2d;

import java.util.ArrayList;
import java.util.List;

/**
 * CLIP's ViT as LLaVA uses it: patch embedding, a class token, learned positions, pre-LayerNorm, encoder layers;
 * the features are one hidden state's patch tokens (class token dropped, unless the config keeps it). Layers after the selected hidden state
 * never influence the output, so they are not built (their weights in a checkpoint are ignored).
 */
public final class VisionTower extends NamedBlock {

    private static final String PREFIX = "vision_model.";

    private final VlmConfig.VisionConfig config;
    private final Parameter classEmbedding;
    private final Parameter patchEmbedding;
    private final Parameter positionEmbedding;
    private final LayerNormBlock preNorm;
    private final List<ClipEncoderLayer> layers = new ArrayList<>();

    private final boolean keepClassToken;

    public VisionTower(VlmConfig.VisionConfig config, int featureHiddenStateIndex) {
        this(config, featureHiddenStateIndex, false);
    }

    /**
     * @param keepClassToken whether the class token stays in the features (LLaVA's select strategy {@code full})
     */
    public VisionTower(VlmConfig.VisionConfig config, int featureHiddenStateIndex, boolean keepClassToken) {
        this.config = config;
        this.keepClassToken = keepClassToken;
        int d = config.hiddenSize();
        this.classEmbedding = parameter(PREFIX + "embeddings.class_embedding", Init.NORMAL, d);
        this.patchEmbedding = parameter(PREFIX + "embeddings.patch_embedding.weight", Init.NORMAL,
                d, 3, config.patchSize(), config.patchSize());
        this.positionEmbedding = parameter(PREFIX + "embeddings.position_embedding.weight", Init.NORMAL,
                config.numPatches() + 1, d);
        this.preNorm = child(PREFIX + "pre_layrnorm", new LayerNormBlock(d, config.layerNormEps()));
        for (int i = 0; i < featureHiddenStateIndex; i++) {
            layers.add(child(PREFIX + "encoder.layers." + i, new ClipEncoderLayer(config)));
        }
    }

    /** Names of checkpoint tensors this tower deliberately does not build. */
    public static List<String> unusedTensorPrefixes(VlmConfig config) {
        List<String> unused = new ArrayList<>();
        unused.add("vision_tower." + PREFIX + "post_layernorm.");
        for (int i = config.featureHiddenStateIndex(); i < config.vision().numLayers(); i++) {
            unused.add("vision_tower." + PREFIX + "encoder.layers." + i + ".");
        }
        return unused;
    }

    /**
     * @param pixels normalised images (batch, 3, imageSize, imageSize)
     * @return patch features (batch, patches, visionHidden), the class token first when it is kept
     */
    public NDArray forward(NDArray pixels) {
        long batch = pixels.getShape().get(0);
        int d = config.hiddenSize();
        Shape stride = new Shape(config.patchSize(), config.patchSize());
        NDArray patches = Conv2d.conv2d(pixels, patchEmbedding.getArray(), null, stride).head()
                .reshape(batch, d, config.numPatches()).transpose(0, 2, 1);
        NDArray classToken = managerOf(pixels).zeros(new Shape(batch, 1, d), pixels.getDataType())
                .add(classEmbedding.getArray());
        NDArray h = classToken.concat(patches, 1).add(positionEmbedding.getArray());
        h = preNorm.forward(h);
        for (ClipEncoderLayer layer : layers) {
            h = layer.forward(h);
        }
        return keepClassToken ? h : h.get(":, 1:, :");
    }
}
