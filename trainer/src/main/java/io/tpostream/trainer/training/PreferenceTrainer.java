package io.tpostream.trainer.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.tpostream.trainer.model.GradientTape;
import io.tpostream.trainer.model.LoraAdapters;
import io.tpostream.trainer.model.ModelInstance;
import io.tpostream.trainer.tpo.AdamW;
import io.tpostream.trainer.tpo.ImageCorruptor;
import io.tpostream.trainer.tpo.ReferenceLogps;
import io.tpostream.trainer.tpo.TpoLossResult;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One incremental preference-optimisation step over a batch of pairs (TPO by default, DPO and the ablations by
 * configuration):
 * <ol>
 *   <li>each pair's corrupted image (noise seeded by the pair id, so steps replay), pixels and token ids, prepared
 *       once per step;</li>
 *   <li>the vision tower and projector run once per image, shared by the chosen and rejected responses;</li>
 *   <li>one no-gradient reference pass, once per step (a retry after quarantine keeps its rows), then one policy pass
 *       with gradients; each pass runs the image and prompt once per image variant with both responses attending to
 *       it, and the vocabulary head only where the loss reads it ({@link SharedPrefixForward}; the straightforward
 *       {@link StepPath#STRAIGHTFORWARD} computes the same);</li>
 *   <li>the loss; pairs whose loss terms are not finite are quarantined and the step is redone without them;</li>
 *   <li>AdamW with gradient clipping, skipped (weights untouched) if the gradient is not finite.</li>
 * </ol>
 * All temporaries live in one sub-manager per step, so memory stays flat however long training runs. Token traces
 * are named only when read.
 *
 * <p>Two ways to hold the reference: a separate frozen {@link ModelInstance} (full fine-tuning), or, for a policy
 * with LoRA adapters, the policy itself with its adapters switched off ({@link #PreferenceTrainer(ModelInstance,
 * PreferenceConfig)}), which needs no second copy of the weights. A policy with adapters trains its adapters only.
 */
public final class PreferenceTrainer implements AutoCloseable {

    private final ModelInstance policy;
    private final PreferenceConfig config;
    private final ImageCorruptor corruptor;
    private final AdamW optimizer;
    private final StepForward forward;

    /**
     * @param policy    the model being trained (its trainable parameters get gradients from here on)
     * @param reference the frozen reference (same architecture)
     */
    public PreferenceTrainer(ModelInstance policy, ModelInstance reference, PreferenceConfig config) {
        this(policy, reference, config, StepPath.SHARED_PREFIX);
    }

    /** As {@link #PreferenceTrainer(ModelInstance, ModelInstance, PreferenceConfig)}, computing steps {@code path}'s way. */
    public PreferenceTrainer(ModelInstance policy, ModelInstance reference, PreferenceConfig config, StepPath path) {
        this(config, policy, java.util.Objects.requireNonNull(reference, "reference"), path);
    }

    /**
     * LoRA preference training on one model: the reference is the same weights with the adapters off, so it is
     * exactly the base the adapters started from (fresh adapters are the identity).
     *
     * @param policy a model with adapters ({@code VlmConfig.lora()}); only the adapters learn
     */
    public PreferenceTrainer(ModelInstance policy, PreferenceConfig config) {
        this(policy, config, StepPath.SHARED_PREFIX);
    }

    /** As {@link #PreferenceTrainer(ModelInstance, PreferenceConfig)}, computing steps {@code path}'s way. */
    public PreferenceTrainer(ModelInstance policy, PreferenceConfig config, StepPath path) {
        this(config, withAdapters(policy), null, path);
    }

    private static ModelInstance withAdapters(ModelInstance policy) {
        if (!policy.model().hasAdapters()) {
            throw new IllegalArgumentException("a single-model preference trainer needs LoRA adapters: its reference"
                    + " is the base model with the adapters off");
        }
        return policy;
    }

    /** @param reference null: the policy with its adapters off */
    private PreferenceTrainer(PreferenceConfig config, ModelInstance policy, ModelInstance reference, StepPath path) {
        if (policy.model().weightType() != ai.djl.ndarray.types.DataType.FLOAT32) {
            throw new IllegalArgumentException("the policy's weights are " + policy.model().weightType()
                    + ": training needs float32 (half precision is for inference and references)");
        }
        this.policy = policy;
        this.config = config;
        this.corruptor = new ImageCorruptor(config.corruption());
        this.forward = path == StepPath.STRAIGHTFORWARD
                ? new StraightforwardForward(policy, reference, config.loss())
                : new SharedPrefixForward(policy, reference, config.loss());
        boolean adaptersOnly = policy.model().hasAdapters();
        Map<String, NDArray> trainable = new LinkedHashMap<>();
        policy.parameters().forEach((name, array) -> {
            boolean learns = adaptersOnly ? LoraAdapters.isAdapterTensor(name)
                    : config.trainVisionTower() || !name.startsWith("vision_tower.");
            array.setRequiresGradient(learns);
            if (learns) {
                trainable.put(name, array);
            }
        });
        this.optimizer = new AdamW(trainable, config.optimizer());
    }

    public PreferenceConfig config() {
        return config;
    }

    public long stepCount() {
        return optimizer.stepCount();
    }

    /** Optimizer moments and step counter, for a checkpoint. */
    public Map<String, NDArray> optimizerState(NDManager target) {
        return optimizer.exportState(target);
    }

    /** Continues from a checkpoint's optimizer state. */
    public void restoreOptimizerState(Map<String, NDArray> state) {
        optimizer.importState(state);
    }

    public StepOutcome step(List<TrainingPair> pairs) {
        Map<String, String> quarantined = new LinkedHashMap<>();
        StepInputs inputs = StepInputs.of(pairs, policy, corruptor, config.loss().objective().needsCorruptedImage());
        try (NDManager stepScope = policy.manager().newSubManager()) {
            // outside the gradient collector, and once per step: a retry after quarantine keeps the reference's rows
            ReferenceLogps referenceLogps = forward.reference(inputs, stepScope);
            while (inputs.size() > 0) {
                try (NDManager scope = stepScope.newSubManager()) {
                    StepForward.Forward f;
                    try (GradientTape collector = new GradientTape()) {
                        f = forward.policy(inputs, referenceLogps, scope);
                        List<Integer> bad = nonFiniteRows(f.result());
                        if (!bad.isEmpty()) {
                            // no backward: nothing of the bad pairs reaches the gradients
                            for (int i : bad) {
                                quarantined.put(inputs.pairs().get(i).pairId(),
                                        "NON_FINITE_LOSS: the pair's log-probabilities are not finite");
                            }
                            referenceLogps = without(referenceLogps, bad, inputs.size(), stepScope);
                            inputs = inputs.without(bad);
                            continue;
                        }
                        collector.backward(f.result().loss());
                    }
                    return update(inputs, f, quarantined);
                }
            }
        }
        return new StepOutcome(false, List.of(), quarantined, Map.of(), List.of());
    }

    private StepOutcome update(StepInputs inputs, StepForward.Forward f, Map<String, String> quarantined) {
        Map<String, Double> metrics = new LinkedHashMap<>(f.result().metrics());
        List<PairTrace> traces = TokenTraces.of(inputs.pairs(), f, policy.tokenizer());
        double lr = config.learningRate().at(optimizer.stepCount());
        AdamW.StepResult update = optimizer.step(lr);
        optimizer.zeroGradients();
        metrics.put("grad_norm", update.gradNorm());
        metrics.put("learning_rate", lr);
        List<String> ids = inputs.pairs().stream().map(TrainingPair::pairId).toList();
        if (!update.applied()) {
            ids.forEach(id -> quarantined.put(id, "NON_FINITE_GRADIENT: the batch's gradient norm was "
                    + update.gradNorm() + "; the update was skipped"));
            return new StepOutcome(false, List.of(), quarantined, metrics, List.of());
        }
        return new StepOutcome(true, ids, quarantined, metrics, traces);
    }

    /** The reference's values without the rows in {@code drop}, for the retry. */
    private static ReferenceLogps without(ReferenceLogps logps, List<Integer> drop, int rows, NDManager scope) {
        long[] kept = java.util.stream.IntStream.range(0, rows).filter(i -> !drop.contains(i)).asLongStream().toArray();
        if (kept.length == 0) {
            return logps;
        }
        NDArray index = scope.create(kept);
        return new ReferenceLogps(logps.chosen().get(index), logps.rejected().get(index));
    }

    /** The FLOPs a step on {@code pairs} executes, per layer, as this trainer computes it ({@link StepFlops}). */
    public StepFlops flops(List<TrainingPair> pairs) {
        StepInputs inputs = StepInputs.of(pairs, policy, corruptor, config.loss().objective().needsCorruptedImage());
        return StepFlops.of(policy.config(), forward.shape(inputs), config.trainVisionTower());
    }

    /**
     * The loss and the trainable parameters' gradients of one step on {@code pairs}, without updating anything: what
     * the parity tests compare between the two ways of computing a step. Gradients are zeroed afterwards.
     */
    LossAndGradients lossAndGradients(List<TrainingPair> pairs) {
        StepInputs inputs = StepInputs.of(pairs, policy, corruptor, config.loss().objective().needsCorruptedImage());
        try (NDManager scope = policy.manager().newSubManager()) {
            ReferenceLogps referenceLogps = forward.reference(inputs, scope);
            double lossValue;
            try (GradientTape collector = new GradientTape()) {
                TpoLossResult result = forward.policy(inputs, referenceLogps, scope).result();
                lossValue = result.loss().getFloat();
                collector.backward(result.loss());
            }
            Map<String, float[]> gradients = new LinkedHashMap<>();
            optimizer.parameters().forEach((name, p) -> {
                try (NDManager read = p.getManager().newSubManager()) {
                    NDArray g = p.getGradient();
                    g.attach(read);
                    gradients.put(name, g.toFloatArray());
                }
            });
            optimizer.zeroGradients();
            return new LossAndGradients(lossValue, gradients);
        }
    }

    record LossAndGradients(double loss, Map<String, float[]> gradients) {
    }

    private static List<Integer> nonFiniteRows(TpoLossResult result) {
        float[] chosen = result.policyChosenLogps().toFloatArray();
        float[] rejected = result.policyRejectedLogps().toFloatArray();
        List<Integer> bad = new ArrayList<>();
        for (int i = 0; i < chosen.length; i++) {
            if (!Float.isFinite(chosen[i]) || !Float.isFinite(rejected[i])) {
                bad.add(i);
            }
        }
        return bad;
    }

    @Override
    public void close() {
        optimizer.close();
        policy.parameters().values().forEach(a -> a.setRequiresGradient(false));
    }
}
