package io.tpostream.ops.gpu;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import io.tpostream.trainer.eval.SceneVocabulary;
import io.tpostream.trainer.experiment.StepBenchmark;
import io.tpostream.trainer.model.ModelInstance;
import io.tpostream.trainer.model.VlmConfig;
import io.tpostream.trainer.model.VlmPresets;
import io.tpostream.trainer.tpo.Objective;
import io.tpostream.trainer.training.PreferenceConfig;
import io.tpostream.trainer.training.PreferenceTrainer;
import io.tpostream.trainer.training.StepOutcome;
import io.tpostream.trainer.training.TrainingPair;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One TPO step of the same model (weights from one seed) on the same batch, once on a reference device (the CPU)
 * and once on the device under test: the loss, the metrics and every trainable parameter's gradient must agree
 * within float32 tolerance.
 * <p>
 * The gradients are read through the trainer's public optimizer state rather than a special hook: with clipping
 * off, AdamW's first moment after its first step is exactly {@code (1 - beta1) * g}, so {@code m / (1 - beta1)}
 * is the gradient the step used, on either device, by the same arithmetic.
 */
public final class ParityCheck {

    /**
     * @param preset            model size (tiny, small, base)
     * @param pairs             preference pairs in the batch
     * @param seed              of the initial weights
     * @param lossTolerance     largest relative error of the loss and of the gradient norm
     * @param gradientTolerance largest relative L2 error of any parameter's gradient; float32 kernels that sum in
     *                          another order land far below 1e-3, a wrong kernel lands near 1
     */
    public record Settings(String preset, int pairs, long seed, double lossTolerance, double gradientTolerance) {
    }

    /** A metric of the step on both devices. */
    public record Metric(double reference, double device, TensorDiff diff) {
    }

    /** One parameter's gradient on both devices. */
    public record Gradient(String parameter, double referenceNorm, TensorDiff diff, boolean passed) {
    }

    /**
     * @param gradients worst first (by relative error)
     */
    public record Result(Settings settings, String referenceDevice, String device, Map<String, Metric> metrics,
                         boolean lossPassed, long gradientElements, List<Gradient> gradients, boolean passed) {
    }

    private record Side(Map<String, Double> metrics, Map<String, float[]> gradients) {
    }

    private ParityCheck() {
    }

    public static Result run(Settings settings, Device reference, Device device) {
        VlmConfig config = VlmPresets.byName(settings.preset(), SceneVocabulary.size(), SceneVocabulary.IMAGE_ID);
        List<TrainingPair> batch = StepBenchmark.batch(config, settings.pairs());
        PreferenceConfig defaults = PreferenceConfig.defaults(Objective.TPO);
        PreferenceConfig unclipped = new PreferenceConfig(defaults.loss(), defaults.corruption(),
                defaults.learningRate(), defaults.optimizer().withMaxGradNorm(Double.POSITIVE_INFINITY),
                defaults.trainVisionTower());

        Side expected = step(config, batch, unclipped, settings.seed(), reference);
        Side actual = step(config, batch, unclipped, settings.seed(), device);

        Map<String, Metric> metrics = new LinkedHashMap<>();
        expected.metrics().forEach((name, value) -> {
            Double other = actual.metrics().get(name);
            if (other != null) {
                metrics.put(name, new Metric(value, other, TensorDiff.ofScalar(value, other)));
            }
        });
        boolean lossPassed = metrics.containsKey("loss") && metrics.containsKey("grad_norm")
                && metrics.get("loss").diff().within(settings.lossTolerance())
                && metrics.get("grad_norm").diff().within(settings.lossTolerance());

        if (!expected.gradients().keySet().equals(actual.gradients().keySet())) {
            throw new IllegalStateException("the two devices trained different parameters: "
                    + expected.gradients().keySet() + " vs " + actual.gradients().keySet());
        }
        List<Gradient> gradients = new ArrayList<>();
        long elements = 0;
        for (Map.Entry<String, float[]> e : expected.gradients().entrySet()) {
            TensorDiff diff = TensorDiff.of(e.getValue(), actual.gradients().get(e.getKey()));
            elements += diff.elements();
            gradients.add(new Gradient(e.getKey(), norm(e.getValue()), diff, diff.within(settings.gradientTolerance())));
        }
        // NaN first, then the largest errors
        gradients.sort(Comparator.comparingDouble((Gradient g) -> Double.isNaN(g.diff().relativeError())
                ? Double.POSITIVE_INFINITY : g.diff().relativeError()).reversed());
        boolean passed = lossPassed && !gradients.isEmpty() && gradients.stream().allMatch(Gradient::passed);
        return new Result(settings, reference.toString(), device.toString(), metrics, lossPassed, elements,
                List.copyOf(gradients), passed);
    }

    /** One applied TPO step on {@code device}: its metrics and the gradient of every trained parameter. */
    private static Side step(VlmConfig config, List<TrainingPair> batch, PreferenceConfig preference, long seed,
                             Device device) {
        try (ModelInstance policy = ModelInstance.create(config, SceneVocabulary.resourceBytes(), seed, device);
             ModelInstance reference = policy.frozenCopy();
             PreferenceTrainer trainer = new PreferenceTrainer(policy, reference, preference);
             NDManager host = NDManager.newBaseManager(Device.cpu())) {
            StepOutcome outcome = trainer.step(batch);
            if (!outcome.applied() || !outcome.quarantined().isEmpty()) {
                throw new IllegalStateException("the TPO step on " + device + " was not applied to the whole batch: "
                        + outcome.quarantined());
            }
            double firstMomentShare = 1 - preference.optimizer().beta1();
            Map<String, float[]> gradients = new LinkedHashMap<>();
            trainer.optimizerState(host).forEach((key, array) -> {
                if (key.startsWith("m/")) {
                    float[] m = array.toFloatArray();
                    for (int i = 0; i < m.length; i++) {
                        m[i] = (float) (m[i] / firstMomentShare);
                    }
                    gradients.put(key.substring(2), m);
                }
                array.close();
            });
            return new Side(new LinkedHashMap<>(outcome.metrics()), gradients);
        }
    }

    private static double norm(float[] values) {
        double sum = 0;
        for (float v : values) {
            sum += (double) v * v;
        }
        return Math.sqrt(sum);
    }
}
