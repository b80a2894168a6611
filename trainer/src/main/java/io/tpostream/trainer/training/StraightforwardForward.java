package io.tpostream.trainer.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import io.tpostream.trainer.model.ModelInstance;
import io.tpostream.trainer.model.PromptFormat;
import io.tpostream.trainer.model.SequenceBatch;
import io.tpostream.trainer.tpo.PairLogits;
import io.tpostream.trainer.tpo.ReferenceLogps;
import io.tpostream.trainer.tpo.TpoLoss;
import io.tpostream.trainer.tpo.TpoLossConfig;

import java.util.Arrays;
import java.util.List;

/**
 * The step as the method note writes it, with no sharing: every (image variant, response) sequence runs through the
 * decoder on its own, prompt included, and the head computes the full vocabulary at every position; the loss then
 * reads what it needs. Kept as the oracle that {@link SharedPrefixForward} is tested against, and as the baseline
 * the step benchmark can time beside it.
 */
final class StraightforwardForward implements StepForward {

    private final ModelInstance policy;
    private final ModelInstance reference;
    private final TpoLossConfig loss;

    /** @param reference null: the policy with its adapters off */
    StraightforwardForward(ModelInstance policy, ModelInstance reference, TpoLossConfig loss) {
        this.policy = policy;
        this.reference = reference;
        this.loss = loss;
    }

    /** The batch's chosen and rejected sequences, padded to one length. */
    private record Batch(SequenceBatch chosen, SequenceBatch rejected) {
        static Batch of(StepInputs inputs, long padId) {
            int length = Math.max(longest(inputs.chosen()), longest(inputs.rejected()));
            return new Batch(SequenceBatch.pad(inputs.chosen(), padId, length),
                    SequenceBatch.pad(inputs.rejected(), padId, length));
        }

        private static int longest(List<PromptFormat.Encoded> seqs) {
            return seqs.stream().mapToInt(PromptFormat.Encoded::length).max().orElse(0);
        }
    }

    @Override
    public ReferenceLogps reference(StepInputs inputs, NDManager scope) {
        Batch batch = Batch.of(inputs, policy.format().tokenizer().padId());
        return StepForward.onReference(policy, reference, scope, pass -> {
            ReferenceLogps logps = TpoLoss.referenceLogps(pairLogits(pass.model(), inputs, batch, pass.manager()),
                    batch.chosen.labelsArray(pass.manager()), batch.rejected.labelsArray(pass.manager()), loss);
            logps.chosen().attach(scope);
            logps.rejected().attach(scope);
            return logps;
        });
    }

    @Override
    public Forward policy(StepInputs inputs, ReferenceLogps referenceLogps, NDManager scope) {
        Batch batch = Batch.of(inputs, policy.format().tokenizer().padId());
        return new Forward(TpoLoss.compute(pairLogits(policy, inputs, batch, scope), referenceLogps,
                batch.chosen.labelsArray(scope), batch.rejected.labelsArray(scope), loss),
                slots(batch.chosen), slots(batch.rejected));
    }

    @Override
    public StepFlops.PassShape shape(StepInputs inputs) {
        long rows = 2L * inputs.variants() * inputs.size();
        long text = Batch.of(inputs, 0).chosen.length();
        return new StepFlops.PassShape((long) inputs.variants() * inputs.size(), rows,
                text - 1 + policy.config().imageSeqLength(), rows * text, 0);
    }

    /** Position j of the loss's per-token arrays is label j + 1. */
    private static TokenSlots slots(SequenceBatch batch) {
        long[][] shifted = Arrays.stream(batch.labels()).map(l -> Arrays.copyOfRange(l, 1, l.length))
                .toArray(long[][]::new);
        int[] first = new int[batch.rows()];
        Arrays.fill(first, 1);
        return new TokenSlots(shifted, first);
    }

    /** Runs one model over chosen/rejected × clean/corrupted as one batch and splits the logits back apart. */
    private static PairLogits pairLogits(ModelInstance m, StepInputs inputs, Batch batch, NDManager manager) {
        boolean corrupted = inputs.hasCorrupted();
        int rows = inputs.size();
        NDArray chosenIds = batch.chosen.idsArray(manager);
        NDArray rejectedIds = batch.rejected.idsArray(manager);
        NDArray ids = corrupted
                ? NDArrays.concat(new NDList(chosenIds, rejectedIds, chosenIds, rejectedIds))
                : NDArrays.concat(new NDList(chosenIds, rejectedIds));
        NDArray features = m.model().imageFeatures(m.pixelArray(inputs.pixels(), manager));
        NDArray featureRows;
        if (corrupted) {
            NDArray clean = features.get("0:{}", rows);
            NDArray noisy = features.get("{}:", rows);
            featureRows = NDArrays.concat(new NDList(clean, clean, noisy, noisy));
        } else {
            featureRows = NDArrays.concat(new NDList(features, features));
        }
        NDArray logits = m.model().logits(featureRows, ids, m.format().placeholder(),
                stackedPrefixes(batch, corrupted));
        NDList parts = logits.split(corrupted ? 4 : 2);
        return corrupted
                ? new PairLogits(parts.get(0), parts.get(2), parts.get(1), parts.get(3))
                : PairLogits.cleanOnly(parts.get(0), parts.get(1));
    }

    /** Prompt lengths in the row order of the stacked batch: chosen, rejected (, chosen, rejected). */
    private static int[] stackedPrefixes(Batch batch, boolean corrupted) {
        int n = batch.chosen.rows();
        int[] out = new int[n * (corrupted ? 4 : 2)];
        for (int block = 0; block < out.length / n; block++) {
            System.arraycopy((block % 2 == 0 ? batch.chosen : batch.rejected).prefixLengths(), 0, out, block * n, n);
        }
        return out;
    }
}
