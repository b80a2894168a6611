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
import io.tpostream.trainer.model.GradMode;
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
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * Offline, no Kafka: the preregistered study. Per regime, each arm's learning rate is chosen on the validation
 * seeds ({@link LearningRateSelection}); then, for every reported seed, every arm is trained from the same base on
 * the same pairs in the same order with the same number of steps, and all are evaluated on fresh held-out scenes
 * of the unbiased world (where the usual partners are often absent, so hallucinating them shows). On-policy
 * regimes start every arm from the same pairs sampled from the base and re-sample from each arm's own policy
 * before every later epoch, the same number of pairs each time.
 *
 * <p>The study is cut into tasks that need nothing but the base and their own settings (the base's evaluation on a
 * seed; some arms trained on one regime's pairs of one seed), in two stages: the base and the validation runs, then,
 * with the rates those chose, the reported runs. Up to {@code workers} tasks run at once, the largest first, each on
 * its own thread with its own copies of the base. A run's result does not depend on the number of workers (at a
 * fixed intra-op thread count), and the result lists runs in the same order whatever it is.
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
    private final int workers;
    private final SceneWorld world;
    private final Listener listener;
    private final Map<Long, ProbeSet> heldOut = new HashMap<>();
    private long totalUnits = 1;
    private long doneUnits;

    /** One training of a task: an arm at a learning rate. */
    record Training(Arm arm, double learningRate) {
    }

    /**
     * A piece of the study that needs nothing but the base: the base's evaluation on a seed (no regime), or
     * trainings on one regime's pairs of one seed.
     */
    record Task(PairRegime regime, long seed, ExperimentResult.Role role, List<Training> trainings) {
    }

    private record Outcome(List<ExperimentResult.Run> runs, List<ExperimentResult.Diagnosis> diagnoses) {
    }

    private PreferenceExperiment(ModelInstance base, ExperimentConfig config, int workers, Listener listener) {
        if (workers < 1) {
            throw new IllegalArgumentException("workers must be at least 1: " + workers);
        }
        this.base = base;
        this.config = config;
        this.workers = workers;
        this.world = SceneWorld.of(BiasMode.NONE, base.config().vision().imageSize());
        this.listener = listener;
    }

    /** Runs the study one task at a time. */
    public static ExperimentResult run(Path baseCheckpoint, ExperimentConfig config, Device device, Listener listener)
            throws IOException {
        return run(baseCheckpoint, config, 1, device, listener);
    }

    /** Runs the study with up to {@code workers} tasks at a time. */
    public static ExperimentResult run(Path baseCheckpoint, ExperimentConfig config, int workers, Device device,
                                       Listener listener) throws IOException {
        try (ModelInstance base = ModelInstance.load(baseCheckpoint, device)) {
            return new PreferenceExperiment(base, config, workers, listener).run();
        }
    }

    private ExperimentResult run() {
        List<Long> validation = config.selectsLearningRate() ? config.tuneSeeds() : List.of();
        List<Task> first = new ArrayList<>();
        for (long seed : allSeeds(validation)) {
            first.add(new Task(null, seed, role(seed), List.of()));
        }
        for (PairRegime tuned : config.tunedRegimes()) {
            for (Arm arm : config.arms()) {
                for (long seed : validation) {
                    first.add(new Task(tuned, seed, ExperimentResult.Role.VALIDATION,
                            config.learningRates().stream().map(rate -> new Training(arm, rate)).toList()));
                }
            }
        }
        // the reported stage's size does not depend on the rates it will use: the estimate is whole from the start
        totalUnits = Math.max(1, units(first) + units(reportedTasks(arm -> config.learningRates().get(0))));

        List<ExperimentResult.Run> runs = new ArrayList<>();
        List<ExperimentResult.Diagnosis> diagnoses = new ArrayList<>();
        execute(first).forEach(o -> {
            runs.addAll(o.runs());
            diagnoses.addAll(o.diagnoses());
        });
        Map<Long, Map<String, Double>> baseMetrics = new HashMap<>();
        runs.stream().filter(r -> r.arm().equals(ExperimentResult.BASE))
                .forEach(r -> baseMetrics.put(r.seed(), r.metrics()));
        List<ExperimentResult.Selection> selections = new ArrayList<>();
        Map<String, Map<Arm, Double>> chosen = new HashMap<>();
        for (PairRegime tuned : config.tunedRegimes()) {
            chosen.put(tuned.configName(), select(tuned, runs, baseMetrics, selections));
        }
        List<Task> reported = new ArrayList<>();
        for (PairRegime regime : config.regimes()) {
            reported.addAll(reportedTasks(regime, rates(regime, chosen)::get));
        }
        execute(reported).forEach(o -> {
            runs.addAll(o.runs());
            diagnoses.addAll(o.diagnoses());
        });
        listener.progress("done", totalUnits, totalUnits);
        return new ExperimentResult(runs, selections, diagnoses);
    }

    /** Every regime's reported tasks, each arm at the given rate. */
    private List<Task> reportedTasks(Function<Arm, Double> rate) {
        List<Task> tasks = new ArrayList<>();
        config.regimes().forEach(regime -> tasks.addAll(reportedTasks(regime, rate)));
        return tasks;
    }

    /**
     * A regime's reported tasks: per seed, one task with every arm (they share the pairs), or, when there would be
     * fewer tasks than twice the workers, the arms split over a few tasks per seed (each builds the same pairs).
     * The split depends on the whole study's shape, never on the rates, so the estimate made first holds.
     */
    private List<Task> reportedTasks(PairRegime regime, Function<Arm, Double> rate) {
        int wholeTasks = config.regimes().size() * config.seeds().size();
        if (wholeTasks == 0) {
            return List.of(); // a tune-only run reports nothing
        }
        int chunks = Math.min(config.arms().size(), Math.max(1, ceilDiv(2 * (workers > 1 ? workers : 0), wholeTasks)));
        int armsPerTask = ceilDiv(config.arms().size(), chunks);
        List<Task> tasks = new ArrayList<>();
        for (long seed : config.seeds()) {
            for (int from = 0; from < config.arms().size(); from += armsPerTask) {
                List<Training> trainings = config.arms().subList(from, Math.min(from + armsPerTask,
                        config.arms().size())).stream().map(arm -> new Training(arm, rate.apply(arm))).toList();
                tasks.add(new Task(regime, seed, ExperimentResult.Role.REPORTED, trainings));
            }
        }
        return tasks;
    }

    /** Runs the tasks, up to {@code workers} at a time and the largest first; their outcomes in the tasks' order. */
    private List<Outcome> execute(List<Task> tasks) {
        if (workers == 1 || tasks.size() <= 1) {
            return tasks.stream().map(this::perform).toList();
        }
        List<Integer> largestFirst = new ArrayList<>();
        for (int i = 0; i < tasks.size(); i++) {
            largestFirst.add(i);
        }
        largestFirst.sort((a, b) -> Long.compare(units(tasks.get(b)), units(tasks.get(a))));
        AtomicInteger threads = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(workers, tasks.size()), work -> {
            Thread t = new Thread(() -> {
                GradMode.offOnThisThread(); // a new thread records autograd until told otherwise
                work.run();
            }, "study-worker-" + threads.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        try {
            Map<Integer, Future<Outcome>> futures = new HashMap<>();
            for (int i : largestFirst) {
                futures.put(i, pool.submit(() -> perform(tasks.get(i))));
            }
            List<Outcome> outcomes = new ArrayList<>();
            for (int i = 0; i < tasks.size(); i++) {
                outcomes.add(futures.get(i).get());
            }
            return outcomes;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException("a study task failed", e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while the study ran", e);
        } finally {
            pool.shutdownNow();
        }
    }

    /** One task, on a copy of the base of its own (several tasks may read the base at the same time). */
    private Outcome perform(Task task) {
        try (ModelInstance baseCopy = base.frozenCopy()) {
            if (task.regime() == null) {
                Map<String, Double> metrics = evaluate(baseCopy, task.seed(), "seed " + task.seed() + ": base");
                return new Outcome(List.of(new ExperimentResult.Run("", ExperimentResult.BASE, task.seed(), 0,
                        task.role(), metrics, 0)), List.of());
            }
            String name = task.regime().configName();
            List<ScenePair> pairs = firstPairs(task.regime(), baseCopy, task.seed());
            List<ExperimentResult.Run> runs = new ArrayList<>();
            List<ExperimentResult.Diagnosis> diagnoses = new ArrayList<>();
            Map<String, Double> before = null;
            for (Training training : task.trainings()) {
                boolean diagnose = task.role() == ExperimentResult.Role.REPORTED && diagnosed(training.arm());
                Trained t = train(task.regime(), baseCopy, pairs, training.arm(), training.learningRate(),
                        task.seed(), diagnose);
                runs.add(new ExperimentResult.Run(name, training.arm().name(), task.seed(), training.learningRate(),
                        task.role(), t.metrics, t.medianStepMillis));
                if (diagnose) {
                    if (before == null) {
                        before = WeightDiagnosis.measure(baseCopy, pairs, PreferenceConfig.defaults(Objective.TPO)
                                .corruption(), TpoLossConfig.DEFAULT_MARGIN_A, "_base");
                    }
                    Map<String, Double> values = new LinkedHashMap<>(before);
                    values.putAll(t.weights);
                    diagnoses.add(new ExperimentResult.Diagnosis(name, training.arm().name(), task.seed(), values));
                }
            }
            return new Outcome(runs, diagnoses);
        }
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

    /** Applies the preregistered rule to each arm's validation runs under a regime, at every candidate rate. */
    private Map<Arm, Double> select(PairRegime regime, List<ExperimentResult.Run> runs,
                                    Map<Long, Map<String, Double>> baseMetrics,
                                    List<ExperimentResult.Selection> selections) {
        String name = regime.configName();
        Map<Arm, Double> rates = new LinkedHashMap<>();
        for (Arm arm : config.arms()) {
            Map<Double, List<LearningRateSelection.Trial>> trials = new LinkedHashMap<>();
            for (double rate : config.learningRates()) {
                trials.put(rate, runs.stream().filter(r -> r.role() == ExperimentResult.Role.VALIDATION
                                && r.regime().equals(name) && r.arm().equals(arm.name()) && r.learningRate() == rate)
                        .map(r -> new LearningRateSelection.Trial(r.metrics(), baseMetrics.get(r.seed()))).toList());
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

    private Trained train(PairRegime regime, ModelInstance from, List<ScenePair> firstPairs, Arm arm, double rate,
                          long seed, boolean diagnose) {
        int stepsPerEpoch = firstPairs.size() / config.batchSize();
        int total = stepsPerEpoch * config.epochs();
        PreferenceConfig settings = arm.settings().withLearningRate(LearningRateSchedule.warmupCosine(rate,
                Math.max(1, total / 10), total, rate));
        String phase = String.format(Locale.ROOT, "%s seed %d: %s lr %s", regime.configName(), seed, arm.name(), rate);
        int stepUnits = arm.objective().needsCorruptedImage() ? 2 : 1;
        List<Double> stepMillis = new ArrayList<>();
        try (ModelInstance policy = from.copy(); ModelInstance reference = from.frozenCopy()) {
            try (PreferenceTrainer trainer = new PreferenceTrainer(policy, reference, settings)) {
                List<ScenePair> pairs = firstPairs;
                for (int epoch = 0; epoch < config.epochs(); epoch++) {
                    if (epoch > 0 && regime.sampledFromPolicy()) {
                        advance(0, phase + " sampling");
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

    private List<ScenePair> firstPairs(PairRegime regime, ModelInstance from, long seed) {
        String phase = regime.configName() + " seed " + seed + ": building pairs";
        advance(0, phase);
        List<ScenePair> pairs = RegimePairs.build(regime, from, world, seed, 0, config.pairs(), config.regime());
        advance(samplingUnits(), phase);
        return pairs;
    }

    private Map<String, Double> evaluate(ModelInstance model, long seed, String phase) {
        ProbeSet set = heldOutSet(seed);
        int items = set.captions().size() + set.pope().size();
        long units = evalUnits(config);
        long[] reported = {0};
        EvalResult result = Evaluator.defaults().evaluate(model, set, done -> {
            long now = units * done / items;
            advance(now - reported[0], phase);
            reported[0] = now;
        });
        advance(units - reported[0], phase);
        Map<String, Double> metrics = new LinkedHashMap<>(result.metrics());
        Double object = metrics.get("eval/score_object");
        Double other = metrics.get("eval/score_other");
        if (object != null && other != null) {
            metrics.put("eval/score_gap", object - other);
        }
        return metrics;
    }

    private ProbeSet heldOutSet(long seed) {
        synchronized (heldOut) {
            return heldOut.computeIfAbsent(seed, s -> ProbeSet.generate(BenchmarkSpec.of(
                    Seeds.derive(s, 0, HELD_OUT_STREAM), config.evalImages(), BiasMode.NONE,
                    base.config().vision().imageSize())));
        }
    }

    /** Counts work done by any task; the listener hears of it one call at a time, never going back. */
    private synchronized void advance(long units, String phase) {
        doneUnits = Math.min(totalUnits, doneUnits + units);
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

    private static long evalUnits(ExperimentConfig config) {
        return (long) (EVAL_UNITS_PER_IMAGE * config.evalImages());
    }

    private long units(List<Task> tasks) {
        return tasks.stream().mapToLong(this::units).sum();
    }

    /** A task's work in DPO-step units, for the progress bar's estimate of the time left and the schedule. */
    long units(Task task) {
        long eval = evalUnits(config);
        if (task.regime() == null) {
            return eval;
        }
        int steps = (config.pairs() / config.batchSize()) * config.epochs();
        long resampling = task.regime().sampledFromPolicy() ? (config.epochs() - 1) * samplingUnits() : 0;
        long total = samplingUnits();
        for (Training training : task.trainings()) {
            total += (long) steps * (training.arm().objective().needsCorruptedImage() ? 2 : 1) + eval + resampling;
        }
        return total;
    }

    private static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
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
