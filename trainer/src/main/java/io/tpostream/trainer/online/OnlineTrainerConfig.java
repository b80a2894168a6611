package io.tpostream.trainer.online;

import ai.djl.Device;
import io.tpostream.schema.Topics;
import io.tpostream.trainer.image.ImageSources;
import io.tpostream.trainer.publish.ArtifactStore;
import io.tpostream.trainer.training.PreferenceConfig;

import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.Map;

/**
 * Everything the online trainer of one model needs. Build it by name with {@link #builder}: five settings say where
 * the trainer works, every other one has a default.
 *
 * @param clientConfig        bootstrap servers and security settings shared by its consumer and producer
 * @param topics              topic names
 * @param modelName           the model trained; its transactional id and consumer group derive from it
 * @param basePath            checkpoint of the base model (version 0, also the frozen reference)
 * @param artifacts           where checkpoints are stored
 * @param training            objective, learning rate and the rest of a step's settings
 * @param batchSize           pairs per step
 * @param publishEverySteps   publish a version after this many steps...
 * @param publishEvery        ...or this long after the window's first record, whichever comes first
 * @param maxQueuedPairs      consumed but untrained pairs kept in memory before partitions are paused
 * @param gate                the promotion gate
 * @param staleness           how far behind the trained version a pair's policy may be before it is skipped
 * @param signingKey          Ed25519 key pair to sign versions with, or null
 * @param traceTokens         whether to publish per-token reward traces
 * @param seed                recorded with every version (the training itself is seeded by pair ids)
 * @param device              where tensors live
 * @param images              where pair images may come from (inline, files, allowed http(s) hosts) and the limits
 */
public record OnlineTrainerConfig(Map<String, Object> clientConfig, Topics topics, String modelName, Path basePath,
                                  ArtifactStore artifacts, PreferenceConfig training, int batchSize,
                                  int publishEverySteps, Duration publishEvery, int maxQueuedPairs, GateConfig gate,
                                  StalenessBound staleness, KeyPair signingKey, boolean traceTokens, long seed,
                                  Device device, ImageSources images) {

    public OnlineTrainerConfig {
        java.util.Objects.requireNonNull(staleness, "staleness (StalenessBound.off() for none)");
        if (batchSize <= 0 || publishEverySteps <= 0 || maxQueuedPairs < batchSize) {
            throw new IllegalArgumentException("need batch size > 0, publish-every-steps > 0 and max queued pairs >= batch size");
        }
        if (!modelName.matches("[A-Za-z0-9._-]+")) {
            throw new IllegalArgumentException("model name '" + modelName + "' may only hold letters, digits, '.', '_' and '-'");
        }
    }

    /**
     * A builder with what the trainer cannot do without; the rest defaults as {@code tpo train} does: TPO at its
     * default settings, batches of 8, a version every 20 steps or 60 s, 256 queued pairs, the default gate, no
     * staleness bound, no signing, token traces on, seed 0, the CPU, images inline or from local files only.
     */
    public static Builder builder(Map<String, Object> clientConfig, Topics topics, String modelName, Path basePath,
                                  ArtifactStore artifacts) {
        return new Builder(clientConfig, topics, modelName, basePath, artifacts);
    }

    /** Named, defaulted settings of an {@link OnlineTrainerConfig}; {@link #build} checks them together. */
    public static final class Builder {
        private final Map<String, Object> clientConfig;
        private final Topics topics;
        private final String modelName;
        private final Path basePath;
        private final ArtifactStore artifacts;
        private PreferenceConfig training = PreferenceConfig.defaults(io.tpostream.trainer.tpo.Objective.TPO);
        private int batchSize = 8;
        private int publishEverySteps = 20;
        private Duration publishEvery = Duration.ofSeconds(60);
        private int maxQueuedPairs = 256;
        private GateConfig gate = GateConfig.defaults();
        private StalenessBound staleness = StalenessBound.off();
        private KeyPair signingKey;
        private boolean traceTokens = true;
        private long seed;
        private Device device = Device.cpu();
        private ImageSources images = ImageSources.defaults();

        private Builder(Map<String, Object> clientConfig, Topics topics, String modelName, Path basePath,
                        ArtifactStore artifacts) {
            this.clientConfig = clientConfig;
            this.topics = topics;
            this.modelName = modelName;
            this.basePath = basePath;
            this.artifacts = artifacts;
        }

        /** Objective, learning rate and the rest of a step's settings. */
        public Builder training(PreferenceConfig value) {
            this.training = value;
            return this;
        }

        /** Pairs per step. */
        public Builder batchSize(int value) {
            this.batchSize = value;
            return this;
        }

        /** Publish a version after this many steps... */
        public Builder publishEverySteps(int value) {
            this.publishEverySteps = value;
            return this;
        }

        /** ...or this long after the window's first record, whichever comes first. */
        public Builder publishEvery(Duration value) {
            this.publishEvery = value;
            return this;
        }

        /** Consumed but untrained pairs kept in memory before partitions are paused (at least the batch size). */
        public Builder maxQueuedPairs(int value) {
            this.maxQueuedPairs = value;
            return this;
        }

        public Builder gate(GateConfig value) {
            this.gate = value;
            return this;
        }

        /** Skips pairs whose policy is more versions behind the trained one than this; off by default. */
        public Builder staleness(StalenessBound value) {
            this.staleness = value;
            return this;
        }

        /** Ed25519 key pair to sign versions with; null (the default) for unsigned versions. */
        public Builder signingKey(KeyPair value) {
            this.signingKey = value;
            return this;
        }

        /** Whether to publish per-token reward traces. */
        public Builder traceTokens(boolean value) {
            this.traceTokens = value;
            return this;
        }

        /** Recorded with every version (the training itself is seeded by pair ids). */
        public Builder seed(long value) {
            this.seed = value;
            return this;
        }

        public Builder device(Device value) {
            this.device = value;
            return this;
        }

        /** Where pair images may come from: inline and local files by default, http(s) only from allowed hosts. */
        public Builder images(ImageSources value) {
            this.images = value;
            return this;
        }

        /** @throws IllegalArgumentException if the settings do not fit together */
        public OnlineTrainerConfig build() {
            return new OnlineTrainerConfig(clientConfig, topics, modelName, basePath, artifacts, training, batchSize,
                    publishEverySteps, publishEvery, maxQueuedPairs, gate, staleness, signingKey, traceTokens, seed,
                    device, images);
        }
    }

    /** One transactional id per model: a second trainer for the same model fences the first. */
    public String transactionalId() {
        return transactionalIdOf(modelName);
    }

    /** The transactional id that owns a model's version numbers (the trainer's, and an operator's rollback). */
    public static String transactionalIdOf(String modelName) {
        return "tpo-trainer-" + modelName;
    }

    public String consumerGroup() {
        return "tpo-trainer-" + modelName;
    }
}
