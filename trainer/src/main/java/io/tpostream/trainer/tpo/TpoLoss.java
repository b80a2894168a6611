package io.tpostream.trainer.tpo;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.nn.Activation;

/**
 * The TPO objective (token-level, visual-anchored DPO; method note §2-3) as one pure NDArray function.
 *
 * <h2>Formula</h2>
 * Logits are [B, T, V] and unshifted: row t predicts label t + 1, so rows 0..T-2 are scored against labels
 * 1..T-1 and labels equal to {@link #IGNORE_INDEX} (prompt, padding) are left out. For every response token i of
 * a sequence y, with z the clean-image and z' the corrupted-image logits of the same model:
 * <pre>
 *   s_i     = z[i, y_i] - z'[i, y_i]                         raw logits, not detached: gradients flow through c
 *   c_i     = the objective's weight of s_i (table below), a = margin
 *   logp(y) = sum_i ( log_softmax(z[i])[y_i] + log c_i )     summed, not averaged
 *   margin  = (logp_policy(y_w) - logp_policy(y_l)) - (logp_ref(y_w) - logp_ref(y_l))
 *   loss    = mean over pairs of softplus(-beta * margin)     = -log sigmoid(beta * margin), stable for any margin
 * </pre>
 * The reference model gets exactly the same treatment with its own clean and corrupted logits; its sequence
 * log-probabilities are detached (it is frozen). Masked positions contribute exactly 0 to logp and receive exactly
 * 0 gradient.
 *
 * <h2>Variants ({@link Objective})</h2>
 * <table>
 *   <caption>token weights per objective</caption>
 *   <tr><th>objective</th><th>chosen c</th><th>rejected c</th></tr>
 *   <tr><td>tpo (paper, default)</td><td>sigmoid(s) + a</td><td>1 - sigmoid(s) + a</td></tr>
 *   <tr><td>tpo-chosen-only</td><td>sigmoid(s) + a</td><td>1</td></tr>
 *   <tr><td>tpo-rejected-only</td><td>1</td><td>1 - sigmoid(s) + a</td></tr>
 *   <tr><td>tpo-opposite</td><td>1 - sigmoid(s) + a</td><td>sigmoid(s) + a</td></tr>
 *   <tr><td>dpo (Rafailov et al. 2023)</td><td>1</td><td>1</td></tr>
 * </table>
 *
 * <h2>Metrics ({@link TpoLossResult#metrics()}, TRL names; means over the B pairs unless stated)</h2>
 * <table>
 *   <caption>logged metrics</caption>
 *   <tr><th>name</th><th>formula</th></tr>
 *   <tr><td>loss</td><td>mean softplus(-beta * margin)</td></tr>
 *   <tr><td>rewards/chosen</td><td>mean beta (logp_policy(y_w) - logp_ref(y_w))</td></tr>
 *   <tr><td>rewards/rejected</td><td>mean beta (logp_policy(y_l) - logp_ref(y_l))</td></tr>
 *   <tr><td>rewards/margins</td><td>mean (rewards chosen - rewards rejected)</td></tr>
 *   <tr><td>rewards/accuracies</td><td>fraction of pairs with rewards chosen &gt; rewards rejected</td></tr>
 *   <tr><td>logps/chosen</td><td>mean logp_policy(y_w), the weighted sum above (includes log c)</td></tr>
 *   <tr><td>logps/rejected</td><td>mean logp_policy(y_l)</td></tr>
 *   <tr><td>score/chosen_mean</td><td>mean policy s over all chosen response tokens of the batch; absent without
 *       corrupted logits</td></tr>
 *   <tr><td>score/rejected_mean</td><td>the same for rejected tokens</td></tr>
 *   <tr><td>weight/chosen_mean</td><td>mean policy c over all chosen response tokens (1 where unweighted)</td></tr>
 *   <tr><td>weight/rejected_mean</td><td>the same for rejected tokens</td></tr>
 * </table>
 * The gradient norm, the remaining metric of the method note, belongs to the optimizer step ({@link AdamW}).
 *
 * <h2>Arrays and managers</h2>
 * Results land in the managers of the inputs they come from (PyTorch attaches to the first operand): call this
 * inside the training step's sub-manager, which then frees every intermediate at once.
 */
public final class TpoLoss {

    /** The label value of positions that are not scored (prompt and padding), as in PyTorch's cross-entropy. */
    public static final int IGNORE_INDEX = -100;

    private TpoLoss() {
    }

    /**
     * The loss for a batch of pairs, with the reference computed from its logits.
     *
     * @param policy         the trained model's logits; gradients flow into all four
     * @param reference      the frozen model's logits for the same inputs and the same corrupted images
     * @param chosenLabels   [B, T_w] integer token ids of the chosen sequences, {@link #IGNORE_INDEX} where unscored;
     *                       any other id outside [0, V) fails in the engine's gather
     * @param rejectedLabels [B, T_l] likewise for the rejected sequences
     */
    public static TpoLossResult compute(PairLogits policy, PairLogits reference, NDArray chosenLabels,
                                        NDArray rejectedLabels, TpoLossConfig config) {
        return compute(policy, referenceLogps(reference, chosenLabels, rejectedLabels, config), chosenLabels,
                rejectedLabels, config);
    }

    /** The loss with reference log-probabilities computed earlier by {@link #referenceLogps} (e.g. cached). */
    public static TpoLossResult compute(PairLogits policy, ReferenceLogps reference, NDArray chosenLabels,
                                        NDArray rejectedLabels, TpoLossConfig config) {
        float marginA = (float) config.marginA();
        return compute(SequenceTerms.of(policy.chosenClean(), policy.chosenCorrupted(), chosenLabels,
                        config.objective().chosenWeighting(), marginA, "policy chosen"),
                SequenceTerms.of(policy.rejectedClean(), policy.rejectedCorrupted(), rejectedLabels,
                        config.objective().rejectedWeighting(), marginA, "policy rejected"),
                reference, config);
    }

    /**
     * The loss from values already gathered at the labels: what a trainer passes that computes the vocabulary
     * head only where the objective reads it. The same formula, term by term, as from full logits.
     */
    public static TpoLossResult compute(PairTokens policy, ReferenceLogps reference, TpoLossConfig config) {
        float marginA = (float) config.marginA();
        return compute(SequenceTerms.of(policy.chosen(), config.objective().chosenWeighting(), marginA, "policy chosen"),
                SequenceTerms.of(policy.rejected(), config.objective().rejectedWeighting(), marginA, "policy rejected"),
                reference, config);
    }

    private static TpoLossResult compute(SequenceTerms chosen, SequenceTerms rejected, ReferenceLogps reference,
                                         TpoLossConfig config) {
        float beta = (float) config.beta();
        checkBatch(chosen.logps(), rejected.logps(), reference);

        NDArray margin = chosen.logps().sub(rejected.logps()).sub(reference.chosen().sub(reference.rejected()));
        // the scalar stays in margin's manager until backward is done (see NamedBlock.scalarLike for why)
        NDArray loss = Activation.softPlus(margin.mul(margin.getManager().create(-beta))).mean();

        NDArray policyChosen = chosen.logps().stopGradient();
        NDArray policyRejected = rejected.logps().stopGradient();
        return new TpoLossResult(loss, policyChosen, policyRejected, reference.chosen(), reference.rejected(),
                detachedMasked(chosen.scores(), chosen.mask()), detachedMasked(rejected.scores(), rejected.mask()),
                detachedMasked(chosen.weights(), chosen.mask()), detachedMasked(rejected.weights(), rejected.mask()),
                chosen.mask(), rejected.mask(),
                policyChosen.sub(reference.chosen()).mul(beta), policyRejected.sub(reference.rejected()).mul(beta));
    }

    /** The frozen reference's weighted sequence log-probabilities, detached: the same treatment as the policy's. */
    public static ReferenceLogps referenceLogps(PairLogits reference, NDArray chosenLabels, NDArray rejectedLabels,
                                                TpoLossConfig config) {
        float marginA = (float) config.marginA();
        return detached(SequenceTerms.of(reference.chosenClean(), reference.chosenCorrupted(), chosenLabels,
                        config.objective().chosenWeighting(), marginA, "reference chosen"),
                SequenceTerms.of(reference.rejectedClean(), reference.rejectedCorrupted(), rejectedLabels,
                        config.objective().rejectedWeighting(), marginA, "reference rejected"));
    }

    /** As {@link #referenceLogps(PairLogits, NDArray, NDArray, TpoLossConfig)}, from label-gathered values. */
    public static ReferenceLogps referenceLogps(PairTokens reference, TpoLossConfig config) {
        float marginA = (float) config.marginA();
        return detached(SequenceTerms.of(reference.chosen(), config.objective().chosenWeighting(), marginA,
                        "reference chosen"),
                SequenceTerms.of(reference.rejected(), config.objective().rejectedWeighting(), marginA,
                        "reference rejected"));
    }

    private static ReferenceLogps detached(SequenceTerms chosen, SequenceTerms rejected) {
        return new ReferenceLogps(chosen.logps().stopGradient(), rejected.logps().stopGradient());
    }

    private static NDArray detachedMasked(NDArray perToken, NDArray mask) {
        if (perToken == null) {
            return null;
        }
        NDArray detached = perToken.stopGradient();
        return NDArrays.where(mask, detached, detached.zerosLike());
    }

    private static void checkBatch(NDArray chosen, NDArray rejected, ReferenceLogps reference) {
        long pairs = chosen.getShape().get(0);
        if (rejected.getShape().get(0) != pairs || !reference.chosen().getShape().equals(chosen.getShape())
                || !reference.rejected().getShape().equals(chosen.getShape())) {
            throw new IllegalArgumentException("batch sizes disagree: chosen " + chosen.getShape() + ", rejected "
                    + rejected.getShape() + ", reference " + reference.chosen().getShape() + "/"
                    + reference.rejected().getShape());
        }
    }
}
