package io.tpostream.trainer.training;

import ai.djl.Device;
import io.tpostream.trainer.eval.CooccurrenceBias;
import io.tpostream.trainer.eval.SceneVocabulary;
import io.tpostream.trainer.eval.SceneWorld;
import io.tpostream.trainer.model.ModelInstance;
import io.tpostream.trainer.model.VlmConfig;
import io.tpostream.trainer.model.VlmPresets;
import io.tpostream.trainer.tpo.AdamWConfig;
import io.tpostream.trainer.tpo.LearningRateSchedule;

import java.util.Map;

/** Supervised pre-training of a base model on the biased scene world. */
public final class Pretraining {

    /** Hears about every step, e.g. to draw a progress bar. */
    public interface Listener {
        void step(int step, int total, Map<String, Double> metrics);
    }

    private Pretraining() {
    }

    public static SceneWorld world(PretrainConfig config, int imageSize) {
        return new SceneWorld(SceneWorld.Config.defaults().withImageSize(imageSize)
                .withBias(CooccurrenceBias.train(config.biasStrength())));
    }

    /** Trains a fresh model; the caller owns (and closes) the result. */
    public static ModelInstance run(PretrainConfig config, Device device, Listener listener) {
        VlmConfig architecture = VlmPresets.byName(config.preset(), SceneVocabulary.size(), SceneVocabulary.IMAGE_ID);
        ModelInstance model = ModelInstance.create(architecture, SceneVocabulary.resourceBytes(), config.seed(), device);
        try {
            PretrainingData data = new PretrainingData(world(config, architecture.vision().imageSize()), config.seed(),
                    config.captionShare(), config.partnerMentionRate());
            LearningRateSchedule schedule = LearningRateSchedule.warmupCosine(config.peakLearningRate(),
                    Math.max(1, config.steps() / 20), config.steps(), config.peakLearningRate() / 10);
            try (SupervisedTrainer trainer = new SupervisedTrainer(model, schedule,
                    AdamWConfig.defaults().withWeightDecay(0.01))) {
                for (int step = 0; step < config.steps(); step++) {
                    Map<String, Double> metrics = trainer.step(data.batch((long) step * config.batchSize(),
                            config.batchSize()));
                    listener.step(step + 1, config.steps(), metrics);
                }
            }
            return model;
        } catch (RuntimeException e) {
            model.close();
            throw e;
        }
    }
}
