package io.tpostream.trainer.tpo;

import ai.djl.ndarray.NDArray;

import java.util.Objects;

/**
 * One side (chosen or rejected) of one model's pass, already reduced to what the objective reads of the logits:
 * per scored slot, the label's log-probability under the clean image and the label's raw logit under the clean and
 * the corrupted image. A trainer that never materialises full-vocabulary logits where they are not read (prompt
 * positions, the corrupted pass) hands these to {@link TpoLoss} directly; {@link TpoLoss#compute(PairLogits,
 * ReferenceLogps, NDArray, NDArray, TpoLossConfig)} derives them from [B, T, V] logits.
 *
 * <p>All arrays are [B, S] over the same slots; slot layout is the caller's (unshifted logits give S = T - 1).
 *
 * @param labelLogps      log_softmax(z_clean)[label]; any finite value where masked
 * @param cleanLabelLogits z_clean[label], or null when the objective needs no scores
 * @param corruptedLabelLogits z_corrupted[label], or null likewise
 * @param mask            boolean, true on scored (response) slots
 */
public record SideTokens(NDArray labelLogps, NDArray cleanLabelLogits, NDArray corruptedLabelLogits, NDArray mask) {

    public SideTokens {
        Objects.requireNonNull(labelLogps, "labelLogps");
        Objects.requireNonNull(mask, "mask");
        if ((cleanLabelLogits == null) != (corruptedLabelLogits == null)) {
            throw new IllegalArgumentException("a score needs both the clean and the corrupted label logit");
        }
        if (!labelLogps.getShape().equals(mask.getShape())) {
            throw new IllegalArgumentException("label log-probs " + labelLogps.getShape() + " and mask "
                    + mask.getShape() + " differ");
        }
    }

    /** s = clean - corrupted label logit, graph-attached; null without corrupted logits. */
    NDArray scores() {
        return cleanLabelLogits == null ? null : cleanLabelLogits.sub(corruptedLabelLogits);
    }
}
