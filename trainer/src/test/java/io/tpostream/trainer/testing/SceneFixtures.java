package io.tpostream.trainer.testing;

import ai.djl.Device;
import io.tpostream.schema.FeedbackKind;
import io.tpostream.schema.ImageRef;
import io.tpostream.schema.PreferencePair;
import io.tpostream.schema.Sha256;
import io.tpostream.trainer.eval.BiasMode;
import io.tpostream.trainer.eval.SceneVocabulary;
import io.tpostream.trainer.eval.SceneWorld;
import io.tpostream.trainer.eval.SyntheticPair;
import io.tpostream.trainer.eval.SyntheticPairs;
import io.tpostream.trainer.model.ModelInstance;
import io.tpostream.trainer.model.VlmConfig;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A randomly initialised scene-world model small enough that a training step or a probe-set evaluation takes
 * milliseconds, and preference pairs about scene-world images. Tests of the online plumbing (Kafka, windows,
 * checkpoints, replay) need a real model of the right vocabulary and image size, not a good one. Shared with the
 * ops module's integration tests through the trainer's test jar.
 */
public final class SceneFixtures {

    /** The scene world's smallest image: 16 patches of 8 px. */
    public static final int IMAGE_SIZE = 32;

    private static final SceneWorld WORLD = SceneWorld.of(BiasMode.NONE, IMAGE_SIZE);
    private static final Instant EPOCH = Instant.parse("2026-01-01T00:00:00Z");

    private SceneFixtures() {
    }

    /** One vision layer, one decoder layer, width 32: the scene vocabulary and image size at the lowest cost. */
    public static VlmConfig microSceneConfig() {
        return new VlmConfig(
                new VlmConfig.VisionConfig(IMAGE_SIZE, 8, 32, 1, 2, 64, 1e-5, "quick_gelu"),
                new VlmConfig.TextConfig(SceneVocabulary.size(), 32, 1, 2, 2, 64, 1e-6, 10000, 96),
                SceneVocabulary.IMAGE_ID, -1, "gelu", "prefix");
    }

    public static ModelInstance microSceneModel(long seed) {
        return ModelInstance.create(microSceneConfig(), SceneVocabulary.resourceBytes(), seed, Device.cpu());
    }

    /** The checkpoint of a fresh micro model (weights only): what {@code tpo train --base} reads. */
    public static byte[] baseCheckpoint(long seed) {
        try (ModelInstance m = microSceneModel(seed)) {
            return m.checkpoint(Map.of(), Map.of()).toBytes();
        }
    }

    public static Path writeBaseModel(Path file, long seed) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.write(file, baseCheckpoint(seed));
        return file;
    }

    /**
     * Pair {@code index} of {@code seed}: a rendered scene inline as PNG with its SHA-256, the true caption as
     * chosen, a hallucinated one as rejected, and the pair id the streams app would give it.
     */
    public static PreferencePair pair(String modelName, long seed, long index) {
        SyntheticPair p = SyntheticPairs.pair(WORLD, seed, index, SyntheticPairs.DEFAULT_WRONG_ATTRIBUTE_RATE);
        byte[] png = p.image().encodePng();
        String sha = Sha256.hex(png);
        ImageRef image = ImageRef.newBuilder().setSha256(sha).setBytes(ByteBuffer.wrap(png)).setMediaType("image/png")
                .setWidth(p.image().width()).setHeight(p.image().height()).build();
        Instant at = EPOCH.plusSeconds(index);
        return PreferencePair.newBuilder()
                .setPairId(Sha256.pairId(sha, p.prompt(), p.chosen(), p.rejected()))
                .setImage(image).setPrompt(p.prompt()).setChosen(p.chosen()).setRejected(p.rejected())
                .setMargin(1.0).setSourceKind(FeedbackKind.CORRECTION)
                .setSourceEventIds(List.of("event-" + seed + "-" + index))
                .setSourceOccurredAt(at).setModelName(modelName).setGeneratorVersion("test-fixture")
                .setCreatedAt(at).build();
    }
}
