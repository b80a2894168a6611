package io.tpostream.trainer.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.tpostream.trainer.model.GradientTape;
import io.tpostream.trainer.model.ModelInstance;
import io.tpostream.trainer.model.PromptFormat;
import io.tpostream.trainer.model.SequenceBatch;
import io.tpostream.trainer.tpo.AdamW;
import io.tpostream.trainer.tpo.AdamWConfig;
import io.tpostream.trainer.tpo.LearningRateSchedule;
import io.tpostream.trainer.tpo.SupervisedLoss;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Supervised next-token training of every parameter: how the base model learns to caption and answer. */
public final class SupervisedTrainer implements AutoCloseable {

    private final ModelInstance model;
    private final LearningRateSchedule learningRate;
    private final AdamW optimizer;

    public SupervisedTrainer(ModelInstance model, LearningRateSchedule learningRate, AdamWConfig optimizer) {
        this.model = model;
        this.learningRate = learningRate;
        model.parameters().values().forEach(a -> a.setRequiresGradient(true));
        this.optimizer = new AdamW(model.parameters(), optimizer);
    }

    /** One update; returns loss, grad_norm and learning_rate. */
    public Map<String, Double> step(List<Example> batch) {
        PromptFormat format = model.format();
        SequenceBatch seqs = SequenceBatch.pad(batch.stream().map(e -> format.encode(e.prompt(), e.response())).toList(),
                format.tokenizer().padId());
        Map<String, Double> metrics = new LinkedHashMap<>();
        try (NDManager scope = model.manager().newSubManager()) {
            try (GradientTape collector = new GradientTape()) {
                NDArray features = model.model().imageFeatures(model.pixels(batch.stream().map(Example::image).toList(), scope));
                NDArray logits = model.model().logits(features, seqs.idsArray(scope), format.placeholder(),
                        seqs.prefixLengths());
                NDArray loss = SupervisedLoss.meanNegativeLogLikelihood(logits, seqs.labelsArray(scope));
                metrics.put("loss", (double) loss.getFloat());
                collector.backward(loss);
            }
            double lr = learningRate.at(optimizer.stepCount());
            AdamW.StepResult update = optimizer.step(lr);
            optimizer.zeroGradients();
            metrics.put("grad_norm", update.gradNorm());
            metrics.put("learning_rate", lr);
        }
        return metrics;
    }

    public long stepCount() {
        return optimizer.stepCount();
    }

    @Override
    public void close() {
        optimizer.close();
        model.parameters().values().forEach(a -> a.setRequiresGradient(false));
    }
}
