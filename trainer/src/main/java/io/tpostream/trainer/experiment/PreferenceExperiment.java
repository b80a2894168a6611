package io.tpostream.trainer.experiment;

import ai.djl.Device;
import io.tpostream.trainer.eval.BenchmarkSpec;
import io.tpostream.trainer.eval.BiasMode;
import io.tpostream.trainer.eval.EvalResult;
import io.tpostream.trainer.eval.Evaluator;
import io.tpostream.trainer.eval.ProbeSet;
import io.tpostream.trainer.eval.SceneWorld;
import io.tpostream.trainer.eval.Seeds;
import io.tpostream.trainer.experiment.diagnosis.WeightDiagnosis;
import io.tpostream.trainer.experiment.regime.PairRegime;
import io.tpostream.trainer.experiment.regime.RegimePairs;
import io.tpostream.trainer.experiment.regime.ScenePair;
import io.tpostream.trainer.model.ModelInstance;
import io.tpostream.trainer.tpo.LearningRateSchedule;
import io.tpostream.trainer.tpo.Objective;
import io.tpostream.trainer.tpo.TpoLossConfig;
import io.tpostream.trainer.training.PreferenceConfig;
import io.tpostream.trainer.training.PreferenceTrainer;
import io.tpostream.trainer.training.StepOutcome;
import io.tpostream.trainer.training.TrainingPair;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Offline, no Kafka: the preregistered study. Per regime, each arm's learning rate is chosen on the validation
 * seeds ({@link LearningRateSelection}); then, for every reported seed, every arm is trained from the same base on
 * the same pairs in the same order with the same number of steps, and all are evaluated on fresh held-out scenes
 * of the unbiased world (where the usual partners are often absent, so hallucinating them shows). On-policy
 * regimes start every arm from the same pairs sampled from the base and re-sample from each arm's own policy
 * before every later epoch, the same number of pairs each time.
 */
public final class PreferenceExperiment {

    /** Progress of the whole study, for one progress bar with an estimate of the time left. */
    public interface Listener {
        void progress(String phase, long done, long total);
    }

    private static final long HELD_OUT_STREAM = 31;
    private static final long SHUFFLE_STREAM = 32;

    /** Rough relative costs (a DPO step = 1) so that the time estimate is right from the start. */
    private static final double EVAL_UNITS_PER_IMAGE = 0.4;
    private static final double SAMPLING_UNITS_PER_PAIR = 0.2;

    private final ModelInstance base;
    private final ExperimentConfig config;
    private final SceneWorld world;
    private final Listener listener;
    private final Map<Long, ProbeSet> heldOut = new HashMap<>();
    private final long totalUnits;
    private long doneUnits;

    private PreferenceExperiment(ModelInstance base, ExperimentConfig config, Listener listener) {
        this.base = base;
        this.config = config;
        this.world = SceneWorld.of(BiasMode.NONE, base.config().vision().imageSize());
        this.listener = listener;
        this.totalUnits = Math.max(1, estimateUnits(config));
    }

    public static ExperimentResult run(Path baseCheckpoint, ExperimentConfig config, Device device, Listener listener)
            throws IOException {
        try (ModelInstance base = ModelInstance.load(baseCheckpoint, device)) {
            return new PreferenceExperiment(base, config, listener).run();
        }
    }

    private ExperimentResult run() {
        List<ExperimentResult.Run> runs = new ArrayList<>();
        List<ExperimentResult.Selection> selections = new ArrayList<>();
        List<ExperimentResult.Diagnosis> diagnoses = new ArrayList<>();
        Map<Long, Map<String, Double>> baseMetrics = new HashMap<>();
        List<Long> validation = config.selectsLearningRate() ? config.tuneSeeds() : List.of();
        for (long seed : allSeeds(validation)) {
            Map<String, Double> metrics = evaluate(base, seed, "seed " + seed + ": base");
            baseMetrics.put(seed, metrics);
            runs.add(new ExperimentResult.Run("", ExperimentResult.BASE, seed, 0, role(seed), metrics, 0));
        }
        Map<String, Map<Arm, Double>> chosen = new HashMap<>();
        for (PairRegime tuned : config.tunedRegimes()) {
            chosen.put(tuned.configName(), select(tuned, validation, baseMetrics, runs, selections));
        }
        for (PairRegime regime : config.regimes()) {
            String name = regime.configName();
            Map<Arm, Double> rates = rates(regime, chosen);
            for (long seed : config.seeds()) {
                List<ScenePair> pairs = firstPairs(regime, seed);
                Map<String, Double> before = null;
                for (Arm arm : config.arms()) {
                    boolean diagnose = diagnosed(arm);
                    Trained t = train(regime, pairs, arm, rates.get(arm), seed, diagnose);
                    runs.add(new ExperimentResult.Run(name, arm.name(), seed, rates.get(arm),
                            ExperimentResult.Role.REPORTED, t.metrics, t.medianStepMillis));
                    if (diagnose) {
                        if (before == null) {
                            before = WeightDiagnosis.measure(base, pairs, PreferenceConfig.defaults(Objective.TPO)
                                    .corruption(), TpoLossConfig.DEFAULT_MARGIN_A, "_base");
                        }
                        Map<String, Double> values = new LinkedHashMap<>(before);
                        values.putAll(t.weights);
                        diagnoses.add(new ExperimentResult.Diagnosis(name, arm.name(), seed, values));
                    }
                }
            }
        }
        listener.progress("done", totalUnits, totalUnits);
        return new ExperimentResult(runs, selections, diagnoses);
    }

    /** Each arm's learning rate in a regime: fixed beforehand, chosen on its own or on the tune regime, or the one. */
    private Map<Arm, Double> rates(PairRegime regime, Map<String, Map<Arm, Double>> chosen) {
        Map<Arm, Double> rates = new LinkedHashMap<>();
        for (Arm arm : config.arms()) {
            if (!config.armRates().isEmpty()) {
                rates.put(arm, config.armRates().get(arm.name()));
            } else if (config.selectsLearningRate()) {
                String tunedOn = config.tuneRegime() == null ? regime.configName() : config.tuneRegime().configName();
                rates.put(arm, chosen.get(tunedOn).get(arm));
            } else {
                rates.put(arm, config.learningRates().get(0));
            }
        }
        return rates;
    }

    /** Trains every arm at every candidate rate on the validation seeds and applies the preregistered rule. */
    private Map<Arm, Double> select(PairRegime regime, List<Long> validation, Map<Long, Map<String, Double>> baseMetrics,
                                    List<ExperimentResult.Run> runs, List<ExperimentResult.Selection> selections) {
        String name = regime.configName();
        Map<Arm, Double> rates = new LinkedHashMap<>();
        Map<Long, List<ScenePair>> validationPairs = new HashMap<>();
        for (Arm arm : config.arms()) {
            Map<Double, List<LearningRateSelection.Trial>> trials = new LinkedHashMap<>();
            for (double rate : config.learningRates()) {
                for (long seed : validation) {
                    List<ScenePair> pairs = validationPairs.computeIfAbsent(seed, s -> firstPairs(regime, s));
                    Trained t = train(regime, pairs, arm, rate, seed, false);
                    runs.add(new ExperimentResult.Run(name, arm.name(), seed, rate, ExperimentResult.Role.VALIDATION,
                            t.metrics, t.medianStepMillis));
                    trials.computeIfAbsent(rate, r -> new ArrayList<>())
                            .add(new LearningRateSelection.Trial(t.metrics, baseMetrics.get(seed)));
                }
            }
            LearningRateSelection.Choice choice = LearningRateSelection.choose(trials);
            rates.put(arm, choice.learningRate());
            selections.add(new ExperimentResult.Selection(name, arm.name(), choice.learningRate(), choice.meanScores()));
        }
        return rates;
    }

    /** The main arms (plain dpo and tpo) get the token-weight diagnosis; ablations are judged on metrics alone. */
    private static boolean diagnosed(Arm arm) {
        return arm.equals(Arm.of(Objective.TPO)) || arm.equals(Arm.of(Objective.DPO));
    }

    private record Trained(Map<String, Double> metrics, double medianStepMillis, Map<String, Double> weights) {
    }

    private Trained train(PairRegime regime, List<ScenePair> firstPairs, Arm arm, double rate, long seed,
                          boolean diagnose) {
        int stepsPerEpoch = firstPairs.size() / config.batchSize();
        int total = stepsPerEpoch * config.epochs();
        PreferenceConfig settings = arm.settings().withLearningRate(LearningRateSchedule.warmupCosine(rate,
                Math.max(1, total / 10), total, rate));
        String phase = String.format(Locale.ROOT, "%s seed %d: %s lr %s", regime.configName(), seed, arm.name(), rate);
        int stepUnits = arm.objective().needsCorruptedImage() ? 2 : 1;
        List<Double> stepMillis = new ArrayList<>();
        try (ModelInstance policy = base.copy(); ModelInstance reference = base.frozenCopy()) {
            try (PreferenceTrainer trainer = new PreferenceTrainer(policy, reference, settings)) {
                List<ScenePair> pairs = firstPairs;
                for (int epoch = 0; epoch < config.epochs(); epoch++) {
                    if (epoch > 0 && regime.sampledFromPolicy()) {
                        listener.progress(phase + " sampling", doneUnits, totalUnits);
                        pairs = RegimePairs.build(regime, policy, world, seed, epoch, firstPairs.size(),
                                config.regime());
                        advance(samplingUnits(), phase);
                    }
                    List<TrainingPair> order = Seeds.shuffled(pairs.stream().map(ScenePair::toTrainingPair).toList(),
                            new SplittableRandom(Seeds.derive(seed, epoch, SHUFFLE_STREAM)));
                    for (int s = 0; s < stepsPerEpoch; s++) {
                        long t0 = System.nanoTime();
                        StepOutcome outcome = trainer.step(order.subList(s * config.batchSize(),
                                (s + 1) * config.batchSize()));
                        stepMillis.add((System.nanoTime() - t0) / 1e6);
                        advance(stepUnits, String.format(Locale.ROOT, "%s (loss %.3f)", phase,
                                outcome.metrics().getOrDefault("loss", Double.NaN)));
                    }
                }
            }
            Map<String, Double> metrics = evaluate(policy, seed, phase + " eval");
            Map<String, Double> weights = diagnose ? WeightDiagnosis.measure(policy, firstPairs,
                    settings.corruption(), TpoLossConfig.DEFAULT_MARGIN_A, "_trained") : Map.of();
            return new Trained(metrics, median(stepMillis), weights);
        }
    }

    private List<ScenePair> firstPairs(PairRegime regime, long seed) {
        String phase = regime.configName() + " seed " + seed + ": building pairs";
        listener.progress(phase, doneUnits, totalUnits);
        List<ScenePair> pairs = RegimePairs.build(regime, base, world, seed, 0, config.pairs(), config.regime());
        advance(samplingUnits(), phase);
        return pairs;
    }

    private Map<String, Double> evaluate(ModelInstance model, long seed, String phase) {
        ProbeSet set = heldOut.computeIfAbsent(seed, s -> ProbeSet.generate(BenchmarkSpec.of(
                Seeds.derive(s, 0, HELD_OUT_STREAM), config.evalImages(), BiasMode.NONE,
                base.config().vision().imageSize())));
        int items = set.captions().size() + set.pope().size();
        long start = doneUnits;
        double units = evalUnits(config);
        EvalResult result = Evaluator.defaults().evaluate(model, set,
                done -> listener.progress(phase, start + (long) (units * done / items), totalUnits));
        doneUnits = start + (long) units;
        Map<String, Double> metrics = new LinkedHashMap<>(result.metrics());
        Double object = metrics.get("eval/score_object");
        Double other = metrics.get("eval/score_other");
        if (object != null && other != null) {
            metrics.put("eval/score_gap", object - other);
        }
        return metrics;
    }

    private void advance(long units, String phase) {
        doneUnits += units;
        listener.progress(phase, doneUnits, totalUnits);
    }

    private long samplingUnits() {
        return (long) (SAMPLING_UNITS_PER_PAIR * config.pairs());
    }

    private ExperimentResult.Role role(long seed) {
        return config.seeds().contains(seed) ? ExperimentResult.Role.REPORTED : ExperimentResult.Role.VALIDATION;
    }

    private List<Long> allSeeds(List<Long> validation) {
        LinkedHashSet<Long> seeds = new LinkedHashSet<>(validation);
        seeds.addAll(config.seeds());
        return new ArrayList<>(seeds);
    }

    private static double evalUnits(ExperimentConfig config) {
        return EVAL_UNITS_PER_IMAGE * config.evalImages();
    }

    /** The work of a whole study in DPO-step units, for the progress bar's estimate of the time left. */
    static long estimateUnits(ExperimentConfig config) {
        int validationSeeds = config.selectsLearningRate() ? config.tuneSeeds().size() : 0;
        int steps = (config.pairs() / config.batchSize()) * config.epochs();
        double sampling = SAMPLING_UNITS_PER_PAIR * config.pairs();
        double total = (validationSeeds + config.seeds().size()) * evalUnits(config);
        for (PairRegime regime : config.tunedRegimes()) {
            total += regimeUnits(config, regime, steps, sampling, validationSeeds, config.learningRates().size());
        }
        for (PairRegime regime : config.regimes()) {
            total += regimeUnits(config, regime, steps, sampling, config.seeds().size(), 1);
        }
        return (long) total;
    }

    private static double regimeUnits(ExperimentConfig config, PairRegime regime, int steps, double sampling, int seeds,
                                      int rates) {
        double resampling = regime.sampledFromPolicy() ? (config.epochs() - 1) * sampling : 0;
        double total = sampling * seeds;
        for (Arm arm : config.arms()) {
            double run = steps * (arm.objective().needsCorruptedImage() ? 2 : 1) + evalUnits(config) + resampling;
            total += run * seeds * rates;
        }
        return total;
    }

    private static double median(List<Double> values) {
        if (values.isEmpty()) {
            return Double.NaN;
        }
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return sorted.get(sorted.size() / 2);
    }
}
