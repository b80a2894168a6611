package io.tpostream.trainer.training;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import io.tpostream.trainer.image.RgbImage;
import io.tpostream.trainer.model.AdapterSwitch;
import io.tpostream.trainer.model.LoraAdapters;
import io.tpostream.trainer.model.ModelInstance;
import io.tpostream.trainer.model.PromptFormat;
import io.tpostream.trainer.model.SequenceBatch;
import io.tpostream.trainer.tpo.AdamW;
import io.tpostream.trainer.tpo.ImageCorruptor;
import io.tpostream.trainer.tpo.PairLogits;
import io.tpostream.trainer.tpo.ReferenceLogps;
import io.tpostream.trainer.tpo.TpoLoss;
import io.tpostream.trainer.tpo.TpoLossResult;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One incremental preference-optimisation step over a batch of pairs (TPO by default, DPO and the ablations by
 * configuration):
 * <ol>
 *   <li>each pair's image and its corrupted copy (noise seeded by the pair id, so steps replay);</li>
 *   <li>the vision tower and projector run once per image, shared by the chosen and rejected responses;</li>
 *   <li>one no-gradient reference forward, then one policy forward with gradients, each over chosen/rejected ×
 *       clean/corrupted as a single batch of 4B rows (2B for DPO);</li>
 *   <li>the loss; pairs whose loss terms are not finite are quarantined and the step is redone without them;</li>
 *   <li>AdamW with gradient clipping, skipped (weights untouched) if the gradient is not finite.</li>
 * </ol>
 * All temporaries live in one sub-manager per step, so memory stays flat however long training runs.
 *
 * <p>Two ways to hold the reference: a separate frozen {@link ModelInstance} (full fine-tuning), or, for a policy
 * with LoRA adapters, the policy itself with its adapters switched off ({@link #PreferenceTrainer(ModelInstance,
 * PreferenceConfig)}), which needs no second copy of the weights. A policy with adapters trains its adapters only.
 */
public final class PreferenceTrainer implements AutoCloseable {

    private final ModelInstance policy;
    private final ModelInstance reference;
    private final PreferenceConfig config;
    private final ImageCorruptor corruptor;
    private final AdamW optimizer;

    /**
     * @param policy    the model being trained (its trainable parameters get gradients from here on)
     * @param reference the frozen reference (same architecture)
     */
    public PreferenceTrainer(ModelInstance policy, ModelInstance reference, PreferenceConfig config) {
        this(config, policy, java.util.Objects.requireNonNull(reference, "reference"));
    }

    /**
     * LoRA preference training on one model: the reference is the same weights with the adapters off, so it is
     * exactly the base the adapters started from (fresh adapters are the identity).
     *
     * @param policy a model with adapters ({@code VlmConfig.lora()}); only the adapters learn
     */
    public PreferenceTrainer(ModelInstance policy, PreferenceConfig config) {
        this(config, withAdapters(policy), null);
    }

    private static ModelInstance withAdapters(ModelInstance policy) {
        if (!policy.model().hasAdapters()) {
            throw new IllegalArgumentException("a single-model preference trainer needs LoRA adapters: its reference"
                    + " is the base model with the adapters off");
        }
        return policy;
    }

    /** @param reference null: the policy with its adapters off */
    private PreferenceTrainer(PreferenceConfig config, ModelInstance policy, ModelInstance reference) {
        if (policy.model().weightType() != ai.djl.ndarray.types.DataType.FLOAT32) {
            throw new IllegalArgumentException("the policy's weights are " + policy.model().weightType()
                    + ": training needs float32 (half precision is for inference and references)");
        }
        this.policy = policy;
        this.reference = reference;
        this.config = config;
        this.corruptor = new ImageCorruptor(config.corruption());
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
        List<TrainingPair> remaining = new ArrayList<>(pairs);
        while (!remaining.isEmpty()) {
            try (NDManager scope = policy.manager().newSubManager()) {
                Forward forward;
                try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                    forward = forward(remaining, scope);
                    List<Integer> bad = nonFiniteRows(forward.result);
                    if (!bad.isEmpty()) {
                        // no backward: nothing of the bad pairs reaches the gradients
                        for (int i = bad.size() - 1; i >= 0; i--) {
                            TrainingPair p = remaining.remove((int) bad.get(i));
                            quarantined.put(p.pairId(), "NON_FINITE_LOSS: the pair's log-probabilities are not finite");
                        }
                        continue;
                    }
                    collector.backward(forward.result.loss());
                }
                Map<String, Double> metrics = new LinkedHashMap<>(forward.result.metrics());
                List<PairTrace> traces = traces(remaining, forward);
                double lr = config.learningRate().at(optimizer.stepCount());
                AdamW.StepResult update = optimizer.step(lr);
                optimizer.zeroGradients();
                metrics.put("grad_norm", update.gradNorm());
                metrics.put("learning_rate", lr);
                List<String> ids = remaining.stream().map(TrainingPair::pairId).toList();
                if (!update.applied()) {
                    ids.forEach(id -> quarantined.put(id, "NON_FINITE_GRADIENT: the batch's gradient norm was "
                            + update.gradNorm() + "; the update was skipped"));
                    return new StepOutcome(false, List.of(), quarantined, metrics, List.of());
                }
                return new StepOutcome(true, ids, quarantined, metrics, traces);
            }
        }
        return new StepOutcome(false, List.of(), quarantined, Map.of(), List.of());
    }

    private record Forward(TpoLossResult result, SequenceBatch chosen, SequenceBatch rejected) {
    }

    private Forward forward(List<TrainingPair> pairs, NDManager scope) {
        boolean corrupted = config.loss().objective().needsCorruptedImage();
        List<RgbImage> images = new ArrayList<>();
        pairs.forEach(p -> images.add(p.image()));
        if (corrupted) {
            pairs.forEach(p -> images.add(corruptor.corrupt(p.image(), p.pairId())));
        }
        PromptFormat format = policy.format();
        List<PromptFormat.Encoded> chosenSeqs = pairs.stream().map(p -> format.encode(p.prompt(), p.chosen())).toList();
        List<PromptFormat.Encoded> rejectedSeqs = pairs.stream().map(p -> format.encode(p.prompt(), p.rejected())).toList();
        int length = Math.max(longest(chosenSeqs), longest(rejectedSeqs));
        SequenceBatch chosen = SequenceBatch.pad(chosenSeqs, format.tokenizer().padId(), length);
        SequenceBatch rejected = SequenceBatch.pad(rejectedSeqs, format.tokenizer().padId(), length);

        NDArray pixels = policy.pixels(images, scope);
        NDArray chosenIds = chosen.idsArray(scope);
        NDArray rejectedIds = rejected.idsArray(scope);
        NDArray ids = corrupted
                ? NDArrays.concat(new NDList(chosenIds, rejectedIds, chosenIds, rejectedIds))
                : NDArrays.concat(new NDList(chosenIds, rejectedIds));
        NDArray chosenLabels = chosen.labelsArray(scope);
        NDArray rejectedLabels = rejected.labelsArray(scope);
        int rows = pairs.size();

        // the reference is frozen (its parameters track no gradient), so it costs no graph even inside the collector
        int[] prefixes = stackedPrefixes(chosen, rejected, corrupted);
        ReferenceLogps referenceLogps = referenceLogps(pixels, ids, prefixes, rows, corrupted, chosenLabels,
                rejectedLabels, scope);
        TpoLossResult result = TpoLoss.compute(pairLogits(policy, pixels, ids, prefixes, rows, corrupted), referenceLogps,
                chosenLabels, rejectedLabels, config.loss());
        return new Forward(result, chosen, rejected);
    }

    /**
     * The reference's sequence log-probabilities, computed in a scope of their own that closes before the policy's
     * forward pass: a DJL array lives until its manager closes, so otherwise every intermediate of the reference
     * pass would stay in memory for the rest of the step. Results of engine ops land in their first operand's
     * manager, hence the inputs' copies in the inner scope.
     */
    private ReferenceLogps referenceLogps(NDArray pixels, NDArray ids, int[] prefixes, int rows, boolean corrupted,
                                          NDArray chosenLabels, NDArray rejectedLabels, NDManager scope) {
        try (NDManager own = scope.newSubManager()) {
            NDArray ownPixels = pixels.duplicate();
            ownPixels.attach(own);
            NDArray ownIds = ids.duplicate();
            ownIds.attach(own);
            ReferenceLogps logps = TpoLoss.referenceLogps(referenceLogits(ownPixels, ownIds, prefixes, rows, corrupted),
                    chosenLabels, rejectedLabels, config.loss());
            logps.chosen().attach(scope);
            logps.rejected().attach(scope);
            return logps;
        }
    }

    /** The reference's logits: the frozen copy's, or the policy's own with its adapters off. */
    private PairLogits referenceLogits(NDArray pixels, NDArray ids, int[] prefixes, int rows, boolean corrupted) {
        if (reference != null) {
            return pairLogits(reference, pixels, ids, prefixes, rows, corrupted);
        }
        try (AdapterSwitch.Scope off = policy.model().adapters().off()) {
            return pairLogits(policy, pixels, ids, prefixes, rows, corrupted);
        }
    }

    /** Prompt lengths in the row order of the stacked batch: chosen, rejected (, chosen, rejected). */
    private static int[] stackedPrefixes(SequenceBatch chosen, SequenceBatch rejected, boolean corrupted) {
        int n = chosen.rows();
        int[] out = new int[n * (corrupted ? 4 : 2)];
        for (int block = 0; block < out.length / n; block++) {
            System.arraycopy((block % 2 == 0 ? chosen : rejected).prefixLengths(), 0, out, block * n, n);
        }
        return out;
    }

    /** Runs one model over chosen/rejected × clean/corrupted as one batch and splits the logits back apart. */
    private static PairLogits pairLogits(ModelInstance m, NDArray pixels, NDArray ids, int[] prefixes, int rows,
                                         boolean corrupted) {
        NDArray features = m.model().imageFeatures(pixels);
        NDArray featureRows;
        if (corrupted) {
            NDArray clean = features.get("0:{}", rows);
            NDArray noisy = features.get("{}:", rows);
            featureRows = NDArrays.concat(new NDList(clean, clean, noisy, noisy));
        } else {
            featureRows = NDArrays.concat(new NDList(features, features));
        }
        NDArray logits = m.model().logits(featureRows, ids, m.format().placeholder(), prefixes);
        NDList parts = logits.split(corrupted ? 4 : 2);
        return corrupted
                ? new PairLogits(parts.get(0), parts.get(2), parts.get(1), parts.get(3))
                : PairLogits.cleanOnly(parts.get(0), parts.get(1));
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

    private List<PairTrace> traces(List<TrainingPair> pairs, Forward f) {
        float[][] chosenScores = rows(f.result.chosenScores(), pairs.size());
        float[][] rejectedScores = rows(f.result.rejectedScores(), pairs.size());
        float[][] chosenWeights = rows(f.result.chosenWeights(), pairs.size());
        float[][] rejectedWeights = rows(f.result.rejectedWeights(), pairs.size());
        List<PairTrace> out = new ArrayList<>();
        for (int i = 0; i < pairs.size(); i++) {
            out.add(new PairTrace(pairs.get(i).pairId(),
                    tokenValues(f.chosen.labels()[i], chosenScores, chosenWeights, i),
                    tokenValues(f.rejected.labels()[i], rejectedScores, rejectedWeights, i)));
        }
        return out;
    }

    private List<PairTrace.TokenValue> tokenValues(long[] labels, float[][] scores, float[][] weights, int row) {
        List<PairTrace.TokenValue> out = new ArrayList<>();
        for (int j = 1; j < labels.length; j++) {
            if (labels[j] == PromptFormat.IGNORE) {
                continue;
            }
            String token = policy.tokenizer().tokens(new long[] {labels[j]})[0];
            float score = scores == null ? Float.NaN : scores[row][j - 1];
            float weight = weights == null ? 1f : weights[row][j - 1];
            out.add(new PairTrace.TokenValue(j, token, score, weight));
        }
        return out;
    }

    private static float[][] rows(NDArray perToken, int count) {
        if (perToken == null) {
            return null;
        }
        float[] flat = perToken.toFloatArray();
        int width = flat.length / count;
        float[][] out = new float[count][];
        for (int i = 0; i < count; i++) {
            out[i] = java.util.Arrays.copyOfRange(flat, i * width, (i + 1) * width);
        }
        return out;
    }

    private static int longest(List<PromptFormat.Encoded> seqs) {
        return seqs.stream().mapToInt(PromptFormat.Encoded::length).max().orElse(0);
    }

    @Override
    public void close() {
        optimizer.close();
        policy.parameters().values().forEach(a -> a.setRequiresGradient(false));
    }
}
