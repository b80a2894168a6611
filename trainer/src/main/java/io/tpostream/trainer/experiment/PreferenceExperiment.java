package io.tpostream.trainer.experiment;

import ai.djl.Device;
import io.tpostream.trainer.eval.BenchmarkSpec;
import io.tpostream.trainer.eval.BiasMode;
import io.tpostream.trainer.eval.EvalResult;
import io.tpostream.trainer.eval.Evaluator;
import io.tpostream.trainer.eval.ProbeSet;
import io.tpostream.trainer.eval.SceneWorld;
import io.tpostream.trainer.eval.Seeds;
import io.tpostream.trainer.model.ModelInstance;
import io.tpostream.trainer.tpo.LearningRateSchedule;
import io.tpostream.trainer.tpo.Objective;
import io.tpostream.trainer.training.PreferenceConfig;
import io.tpostream.trainer.training.PreferenceTrainer;
import io.tpostream.trainer.training.StepOutcome;
import io.tpostream.trainer.training.TrainingPair;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Offline, no Kafka: for each seed, build pairs from the world and the base model, train every objective from the
 * same base on the same pairs in the same order with the same compute, and evaluate all on fresh held-out scenes
 * from the unbiased world (where the usual partners are often absent, so hallucinating them shows).
 */
public final class PreferenceExperiment {

    /** Progress, for a progress bar: what is running and how far it is. */
    public interface Listener {
        void progress(String phase, int done, int total);
    }

    private static final long HELD_OUT_STREAM = 31;
    private static final long SHUFFLE_STREAM = 32;

    private PreferenceExperiment() {
    }

    public static ExperimentResult run(Path baseCheckpoint, ExperimentConfig config, Device device, Listener listener)
            throws IOException {
        List<ExperimentResult.Run> runs = new ArrayList<>();
        for (long seed : config.seeds()) {
            try (ModelInstance base = ModelInstance.load(baseCheckpoint, device)) {
                int size = base.config().vision().imageSize();
                SceneWorld world = SceneWorld.of(BiasMode.NONE, size);
                listener.progress("seed " + seed + ": building pairs", 0, 1);
                List<TrainingPair> pairs = ExperimentPairs.build(base, world, seed, config.pairs(), config.questionShare());
                ProbeSet heldOut = ProbeSet.generate(BenchmarkSpec.of(Seeds.derive(seed, 0, HELD_OUT_STREAM),
                        config.evalImages(), BiasMode.NONE, size));
                runs.add(new ExperimentResult.Run("base", seed, evaluate(base, heldOut, "seed " + seed + ": base", listener), 0));
                for (Objective objective : config.objectives()) {
                    runs.add(train(base, pairs, heldOut, objective, seed, config, listener));
                }
            }
        }
        return new ExperimentResult(runs);
    }

    private static ExperimentResult.Run train(ModelInstance base, List<TrainingPair> pairs, ProbeSet heldOut,
                                              Objective objective, long seed, ExperimentConfig config,
                                              Listener listener) {
        int stepsPerEpoch = pairs.size() / config.batchSize();
        int total = stepsPerEpoch * config.epochs();
        PreferenceConfig settings = PreferenceConfig.defaults(objective).withLearningRate(
                LearningRateSchedule.warmupCosine(config.learningRate(), Math.max(1, total / 10), total,
                        config.learningRate()));
        String phase = "seed " + seed + ": " + objective.configName();
        List<Double> stepMillis = new ArrayList<>();
        try (ModelInstance policy = base.copy(); ModelInstance reference = base.frozenCopy()) {
            try (PreferenceTrainer trainer = new PreferenceTrainer(policy, reference, settings)) {
                int done = 0;
                for (int epoch = 0; epoch < config.epochs(); epoch++) {
                    List<TrainingPair> order = shuffled(pairs, Seeds.derive(seed, epoch, SHUFFLE_STREAM));
                    for (int s = 0; s < stepsPerEpoch; s++) {
                        long t0 = System.nanoTime();
                        StepOutcome outcome = trainer.step(order.subList(s * config.batchSize(), (s + 1) * config.batchSize()));
                        stepMillis.add((System.nanoTime() - t0) / 1e6);
                        listener.progress(phase + " training (loss " + String.format(java.util.Locale.ROOT, "%.3f",
                                outcome.metrics().getOrDefault("loss", Double.NaN)) + ")", ++done, total);
                    }
                }
            }
            Map<String, Double> metrics = evaluate(policy, heldOut, phase + " eval", listener);
            return new ExperimentResult.Run(objective.configName(), seed, metrics, median(stepMillis));
        }
    }

    private static Map<String, Double> evaluate(ModelInstance model, ProbeSet set, String phase, Listener listener) {
        int total = set.captions().size() + set.pope().size();
        EvalResult result = Evaluator.defaults().evaluate(model, set, done -> listener.progress(phase, done, total));
        Map<String, Double> metrics = new java.util.LinkedHashMap<>(result.metrics());
        Double object = metrics.get("eval/score_object");
        Double other = metrics.get("eval/score_other");
        if (object != null && other != null) {
            metrics.put("eval/score_gap", object - other);
        }
        return metrics;
    }

    private static double median(List<Double> values) {
        if (values.isEmpty()) {
            return Double.NaN;
        }
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return sorted.get(sorted.size() / 2);
    }

    /** Fisher–Yates with a seeded SplittableRandom: the same order for every objective of a seed, on any JVM. */
    static <T> List<T> shuffled(List<T> items, long seed) {
        List<T> out = new ArrayList<>(items);
        SplittableRandom r = new SplittableRandom(seed);
        for (int i = out.size() - 1; i > 0; i--) {
            Collections.swap(out, i, r.nextInt(i + 1));
        }
        return out;
    }
}
