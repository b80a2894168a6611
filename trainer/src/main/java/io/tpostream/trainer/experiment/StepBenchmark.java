package io.tpostream.trainer.experiment;

import ai.djl.Device;
import io.tpostream.trainer.eval.BiasMode;
import io.tpostream.trainer.eval.SceneVocabulary;
import io.tpostream.trainer.eval.SceneWorld;
import io.tpostream.trainer.eval.SyntheticPair;
import io.tpostream.trainer.eval.SyntheticPairs;
import io.tpostream.trainer.model.ModelInstance;
import io.tpostream.trainer.model.PromptFormat;
import io.tpostream.trainer.model.VlmConfig;
import io.tpostream.trainer.model.VlmPresets;
import io.tpostream.trainer.tpo.Objective;
import io.tpostream.trainer.training.PreferenceConfig;
import io.tpostream.trainer.training.PreferenceTrainer;
import io.tpostream.trainer.training.StepFlops;
import io.tpostream.trainer.training.StepPath;
import io.tpostream.trainer.training.TrainingPair;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Step cost of each objective on the same batch, in one process: every objective gets its own policy and optimizer
 * from the same initial weights, and their steps are interleaved (A, B, A, B, ...) so that machine noise hits all
 * of them alike. Reports medians, since these machines are noisy.
 */
public final class StepBenchmark {

    /**
     * One objective's measured cost on one step path.
     *
     * @param objective         the objective's name, suffixed {@code /straightforward} for the baseline path
     * @param medianCpuMillis   median CPU time of the stepping thread: with one intra-op thread the engine computes
     *                          on it, so this is the step's cost without the waits a loaded machine adds
     * @param tokensPerSecond   logical tokens (every chosen/rejected × image-variant sequence, image included) per
     *                          second: the same work count for both paths
     * @param modelFlopsPerStep FLOPs the step executes, counted per layer for the positions it computes
     *                          ({@link StepFlops})
     * @param achievedTflops    modelFlopsPerStep over the median step time
     * @param flopsPerLayer     forward FLOPs of policy + reference by part
     * @param gemmTflops        the large-GEMM rate measured in the same run
     * @param gemmFraction      achievedTflops / gemmTflops
     */
    public record Result(String objective, double medianMillis, double p90Millis, double medianCpuMillis,
                         double pairsPerSecond, double tokensPerSecond, double modelFlopsPerStep, double achievedTflops,
                         Map<String, Double> flopsPerLayer, double gemmTflops, double gemmFraction) {
    }

    /** Side of the large GEMM the rate is measured with: far bigger than any of the step's products. */
    public static final int GEMM_SIZE = 1536;

    private StepBenchmark() {
    }

    /** The benchmark of the trainer's (shared-prefix) step alone. */
    public static List<Result> run(String preset, List<Objective> objectives, int batchSize, int warmup, int steps,
                                   Device device) {
        return run(preset, objectives, batchSize, warmup, steps, device, false);
    }

    /**
     * @param preset     model size
     * @param objectives objectives to compare (the first is the baseline of the ratios)
     * @param batchSize  pairs per step
     * @param warmup     untimed steps per objective
     * @param steps      timed steps per objective
     * @param baseline   also time each objective on the straightforward step path, interleaved with the others
     *                   (the before/after of one run)
     */
    public static List<Result> run(String preset, List<Objective> objectives, int batchSize, int warmup, int steps,
                                   Device device, boolean baseline) {
        VlmConfig config = VlmPresets.byName(preset, SceneVocabulary.size(), SceneVocabulary.IMAGE_ID);
        List<TrainingPair> batch = batch(config, batchSize);
        List<StepPath> paths = baseline ? List.of(StepPath.SHARED_PREFIX, StepPath.STRAIGHTFORWARD)
                : List.of(StepPath.SHARED_PREFIX);
        List<String> labels = new ArrayList<>();
        List<ModelInstance> models = new ArrayList<>();
        List<PreferenceTrainer> trainers = new ArrayList<>();
        try (ModelInstance base = ModelInstance.create(config, SceneVocabulary.resourceBytes(), 1, device);
             ModelInstance reference = base.frozenCopy()) {
            for (StepPath path : paths) {
                for (Objective o : objectives) {
                    ModelInstance policy = base.copy();
                    models.add(policy);
                    trainers.add(new PreferenceTrainer(policy, reference, PreferenceConfig.defaults(o), path));
                    labels.add(o.configName() + (path == StepPath.STRAIGHTFORWARD ? "/straightforward" : ""));
                }
            }
            double gemmBefore = GemmRate.measure(device, GEMM_SIZE, 5);
            List<List<Double>> times = new ArrayList<>();
            List<List<Double>> cpuTimes = new ArrayList<>();
            trainers.forEach(t -> times.add(new ArrayList<>()));
            trainers.forEach(t -> cpuTimes.add(new ArrayList<>()));
            ThreadMXBean threads = ManagementFactory.getThreadMXBean();
            for (int i = 0; i < warmup + steps; i++) {
                for (int k = 0; k < trainers.size(); k++) {
                    long t0 = System.nanoTime();
                    long cpu0 = threads.getCurrentThreadCpuTime();
                    trainers.get(k).step(batch);
                    if (i >= warmup) {
                        times.get(k).add((System.nanoTime() - t0) / 1e6);
                        cpuTimes.get(k).add((threads.getCurrentThreadCpuTime() - cpu0) / 1e6);
                    }
                }
            }
            // before and after the steps, so that a neighbour's load during the run shows in neither alone
            double gemm = Math.max(gemmBefore, GemmRate.measure(device, GEMM_SIZE, 5));
            long tokens = tokensPerRow(base, batch);
            List<Result> results = new ArrayList<>();
            for (int k = 0; k < trainers.size(); k++) {
                Objective o = objectives.get(k % objectives.size());
                List<Double> t = new ArrayList<>(times.get(k));
                Collections.sort(t);
                double median = t.get(t.size() / 2);
                List<Double> cpu = new ArrayList<>(cpuTimes.get(k));
                Collections.sort(cpu);
                double p90 = t.get(Math.min(t.size() - 1, (int) Math.ceil(t.size() * 0.9) - 1));
                int rows = batchSize * (o.needsCorruptedImage() ? 4 : 2);
                double rowTokens = (double) rows * tokens;
                StepFlops flops = trainers.get(k).flops(batch);
                double achieved = flops.total() / (median / 1000);
                results.add(new Result(labels.get(k), median, p90, cpu.get(cpu.size() / 2), batchSize / (median / 1000),
                        rowTokens / (median / 1000), flops.total(), achieved / 1e12, flops.perLayer(), gemm / 1e12,
                        achieved / gemm));
            }
            return results;
        } finally {
            trainers.forEach(PreferenceTrainer::close);
            models.forEach(ModelInstance::close);
        }
    }

    /** The benchmark's fixed batch: {@code pairs} scene-world preference pairs at the model's image size. */
    public static List<TrainingPair> batch(VlmConfig config, int pairs) {
        SceneWorld world = SceneWorld.of(BiasMode.NONE, config.vision().imageSize());
        List<TrainingPair> batch = new ArrayList<>();
        for (SyntheticPair p : SyntheticPairs.generate(world, 99, pairs)) {
            batch.add(new TrainingPair("bench-" + batch.size(), p.image(), p.prompt(), p.chosen(), p.rejected()));
        }
        return batch;
    }

    /** Mean sequence length of one row: image tokens plus the padded text of the batch. */
    private static long tokensPerRow(ModelInstance model, List<TrainingPair> batch) {
        PromptFormat format = model.format();
        int text = 0;
        for (TrainingPair p : batch) {
            text = Math.max(text, Math.max(format.encode(p.prompt(), p.chosen()).length(),
                    format.encode(p.prompt(), p.rejected()).length()));
        }
        return text - 1L + model.config().vision().numPatches();
    }

    /** Each objective's step-time speed-up of the shared-prefix path over the straightforward one (baseline runs). */
    public static Map<String, Double> speedups(List<Result> results) {
        Map<String, Double> byLabel = new LinkedHashMap<>();
        results.forEach(r -> byLabel.put(r.objective(), r.medianMillis()));
        Map<String, Double> out = new LinkedHashMap<>();
        byLabel.forEach((label, ms) -> {
            Double before = byLabel.get(label + "/straightforward");
            if (before != null) {
                out.put(label, before / ms);
            }
        });
        return out;
    }

    /** Step-time ratios against the first objective. */
    public static Map<String, Double> ratios(List<Result> results) {
        Map<String, Double> out = new LinkedHashMap<>();
        double base = results.get(0).medianMillis();
        results.forEach(r -> out.put(r.objective(), r.medianMillis() / base));
        return out;
    }
}
