package io.tpostream.trainer.online;

import ai.djl.Device;
import io.tpostream.schema.Topics;
import io.tpostream.trainer.publish.ArtifactStore;
import io.tpostream.trainer.training.PreferenceConfig;

import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.Map;

/**
 * Everything the online trainer of one model needs.
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
 * @param signingKey          Ed25519 key pair to sign versions with, or null
 * @param traceTokens         whether to publish per-token reward traces
 * @param seed                recorded with every version (the training itself is seeded by pair ids)
 * @param device              where tensors live
 */
public record OnlineTrainerConfig(Map<String, Object> clientConfig, Topics topics, String modelName, Path basePath,
                                  ArtifactStore artifacts, PreferenceConfig training, int batchSize,
                                  int publishEverySteps, Duration publishEvery, int maxQueuedPairs, GateConfig gate,
                                  KeyPair signingKey, boolean traceTokens, long seed, Device device) {

    public OnlineTrainerConfig {
        if (batchSize <= 0 || publishEverySteps <= 0 || maxQueuedPairs < batchSize) {
            throw new IllegalArgumentException("need batch size > 0, publish-every-steps > 0 and max queued pairs >= batch size");
        }
        if (!modelName.matches("[A-Za-z0-9._-]+")) {
            throw new IllegalArgumentException("model name '" + modelName + "' may only hold letters, digits, '.', '_' and '-'");
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
