package io.tpostream.trainer.tpo;

import ai.djl.ndarray.NDArray;

/**
 * Next-token cross-entropy for supervised (caption and question-answer) pre-training: the mean negative
 * log-probability of the labelled tokens, with the same shifting and masking as {@link TpoLoss}.
 */
public final class SupervisedLoss {

    private SupervisedLoss() {
    }

    /**
     * @param logits [B, T, V], unshifted (row t predicts label t + 1)
     * @param labels [B, T], {@link TpoLoss#IGNORE_INDEX} on unscored positions
     * @return a graph-attached scalar: -sum(log p) / number of labelled tokens
     */
    public static NDArray meanNegativeLogLikelihood(NDArray logits, NDArray labels) {
        SequenceTerms terms = SequenceTerms.of(logits, null, labels, TokenWeighting.UNIFORM, 0f, "supervised");
        NDArray tokens = terms.mask().toType(logits.getDataType(), false).sum().maximum(1f);
        return terms.logps().sum().neg().div(tokens);
    }
}
