package io.tpostream.trainer.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.tpostream.trainer.model.ModelInstance;
import io.tpostream.trainer.model.PackedPairs;
import io.tpostream.trainer.model.VisionLanguageModel;
import io.tpostream.trainer.tpo.PairTokens;
import io.tpostream.trainer.tpo.ReferenceLogps;
import io.tpostream.trainer.tpo.SideTokens;
import io.tpostream.trainer.tpo.TpoLoss;
import io.tpostream.trainer.tpo.TpoLossConfig;

/**
 * The step with only the work the objective reads, for the reference and the policy alike:
 * <ul>
 *   <li>shared prefix: per image variant, the image and the prompt run through the decoder once, and the chosen and
 *       the rejected response both attend to it ({@link PackedPairs}); the responses' final end tokens, which predict
 *       nothing, are not run at all;</li>
 *   <li>head only where read: the full-vocabulary head and its log-softmax only on the scored positions of the
 *       clean image; on the corrupted image only each label's logit, a dot product with the label's row of the
 *       head.</li>
 * </ul>
 * Mathematically the same loss and gradients as {@link StraightforwardForward}; the float sums differ in order only
 * (the parity tests hold them to 1e-5).
 */
final class SharedPrefixForward implements StepForward {

    private final ModelInstance policy;
    private final ModelInstance reference;
    private final TpoLossConfig loss;

    /** @param reference null: the policy with its adapters off */
    SharedPrefixForward(ModelInstance policy, ModelInstance reference, TpoLossConfig loss) {
        this.policy = policy;
        this.reference = reference;
        this.loss = loss;
    }

    /** The packing of a step's pairs; the same for both models, which share an architecture and a tokenizer. */
    static PackedPairs packing(ModelInstance model, StepInputs inputs) {
        return PackedPairs.of(inputs.chosen(), inputs.rejected(), model.format().placeholder(),
                model.config().imageSeqLength(), model.format().tokenizer().padId(), model.config().prefixAttention());
    }

    @Override
    public ReferenceLogps reference(StepInputs inputs, NDManager scope) {
        PackedPairs packed = packing(policy, inputs);
        return StepForward.onReference(policy, reference, scope, pass -> {
            ReferenceLogps logps = TpoLoss.referenceLogps(pairTokens(pass.model(), inputs, packed, pass.manager()), loss);
            logps.chosen().attach(scope);
            logps.rejected().attach(scope);
            return logps;
        });
    }

    @Override
    public Forward policy(StepInputs inputs, ReferenceLogps referenceLogps, NDManager scope) {
        PackedPairs packed = packing(policy, inputs);
        int[] starts = new int[packed.pairs()];
        for (int i = 0; i < starts.length; i++) {
            starts[i] = packed.responseStart(i);
        }
        return new Forward(TpoLoss.compute(pairTokens(policy, inputs, packed, scope), referenceLogps, loss),
                new TokenSlots(packed.slotLabels(true), starts), new TokenSlots(packed.slotLabels(false), starts));
    }

    @Override
    public StepFlops.PassShape shape(StepInputs inputs) {
        PackedPairs packed = packing(policy, inputs);
        long variantRows = packed.pairs();
        long slots = 2L * packed.pairs() * packed.slots();
        return new StepFlops.PassShape(inputs.variants() * variantRows, inputs.variants() * variantRows,
                packed.length(), slots, (inputs.variants() - 1) * slots);
    }

    private static PairTokens pairTokens(ModelInstance m, StepInputs inputs, PackedPairs packed, NDManager manager) {
        VisionLanguageModel model = m.model();
        int variants = inputs.variants();
        PackedPairs.Tensors t = packed.arrays(manager, variants, model.weightType());
        NDArray features = model.imageFeatures(m.pixelArray(inputs.pixels(), manager));
        NDArray hidden = model.packedHidden(features, t.ids(), packed.placeholder(), t.mask(), t.positions());
        NDArray flat = hidden.reshape(-1, hidden.getShape().get(2));

        // [2 * pairs, slots]: chosen rows, then rejected rows
        NDArray index = t.labels().expandDims(-1);
        NDArray cleanLogits = model.head(flat.get(t.slotRows()[0]));
        NDArray labelLogps = cleanLogits.logSoftmax(-1).gather(index, -1).squeeze(-1);
        NDArray cleanLabel = null;
        NDArray corruptedLabel = null;
        if (variants == 2) {
            cleanLabel = cleanLogits.gather(index, -1).squeeze(-1);
            corruptedLabel = model.labelLogits(flat.get(t.slotRows()[1]), t.labels());
        }
        int n = packed.pairs();
        return new PairTokens(side(labelLogps, cleanLabel, corruptedLabel, t.scored(), 0, n),
                side(labelLogps, cleanLabel, corruptedLabel, t.scored(), 1, n));
    }

    private static SideTokens side(NDArray labelLogps, NDArray cleanLabel, NDArray corruptedLabel, NDArray scored,
                                   int side, int pairs) {
        String rows = side == 0 ? "0:" + pairs : pairs + ":";
        return new SideTokens(labelLogps.get(rows), cleanLabel == null ? null : cleanLabel.get(rows),
                corruptedLabel == null ? null : corruptedLabel.get(rows), scored.get(rows));
    }
}
