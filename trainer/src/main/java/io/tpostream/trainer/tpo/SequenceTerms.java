package io.tpostream.trainer.tpo;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * One side (chosen or rejected) of one model, token by token: what {@link TpoLoss} sums into a sequence
 * log-probability. Position j of the [B, T-1] arrays is logits row j predicting label j + 1.
 *
 * @param logps  [B] sum over response tokens of log p + log c, graph-attached
 * @param scores [B, T-1] s = clean - corrupted logit of the label, graph-attached and garbage where masked;
 *               null without corrupted logits
 * @param weights [B, T-1] c, graph-attached and garbage where masked
 * @param mask   [B, T-1] boolean, true on response tokens (label not {@link TpoLoss#IGNORE_INDEX})
 */
record SequenceTerms(NDArray logps, NDArray scores, NDArray weights, NDArray mask) {

    private static final NDIndex ALL_BUT_LAST_ROW = new NDIndex(":, :-1, :");
    private static final NDIndex ALL_BUT_FIRST_LABEL = new NDIndex(":, 1:");

    static SequenceTerms of(NDArray clean, NDArray corrupted, NDArray labels, TokenWeighting weighting, float marginA,
                            String side) {
        checkShapes(clean, corrupted, labels, side);
        NDArray shiftedLabels = labels.get(ALL_BUT_FIRST_LABEL).toType(DataType.INT64, false);
        NDArray mask = shiftedLabels.neq(TpoLoss.IGNORE_INDEX);
        // masked labels point at token 0 so gather stays in range; their terms are dropped by `where` below
        NDArray index = shiftedLabels.mul(mask.toType(DataType.INT64, false)).expandDims(-1);

        NDArray cleanRows = clean.get(ALL_BUT_LAST_ROW);
        NDArray tokenLogps = cleanRows.logSoftmax(-1).gather(index, -1).squeeze(-1);
        NDArray cleanLabelLogits = null;
        NDArray corruptedLabelLogits = null;
        if (corrupted != null) {
            cleanLabelLogits = cleanRows.gather(index, -1).squeeze(-1);
            corruptedLabelLogits = corrupted.get(ALL_BUT_LAST_ROW).gather(index, -1).squeeze(-1);
        }
        return of(new SideTokens(tokenLogps, cleanLabelLogits, corruptedLabelLogits, mask), weighting, marginA, side);
    }

    /** The same terms from values already gathered at the labels (any slot layout). */
    static SequenceTerms of(SideTokens tokens, TokenWeighting weighting, float marginA, String side) {
        if (tokens.cleanLabelLogits() == null && weighting != TokenWeighting.UNIFORM) {
            throw new IllegalArgumentException(side + ": this objective weights tokens by their visual-anchored score"
                    + " and needs the corrupted-image logits");
        }
        NDArray tokenLogps = tokens.labelLogps();
        NDArray mask = tokens.mask();
        NDArray scores = tokens.scores();
        NDArray weights;
        NDArray tokenTerms;
        if (weighting == TokenWeighting.UNIFORM) {
            weights = tokenLogps.onesLike();
            tokenTerms = tokenLogps;
        } else {
            weights = weighting.weight(scores, marginA);
            tokenTerms = tokenLogps.add(weighting.logWeight(scores, marginA));
        }
        // `where`, not a multiplication by the mask: 0 * inf would be NaN, and the gradient of the dropped branch is 0
        NDArray logps = NDArrays.where(mask, tokenTerms, tokenTerms.zerosLike()).sum(new int[] {1});
        return new SequenceTerms(logps, scores, weights, mask);
    }

    private static void checkShapes(NDArray clean, NDArray corrupted, NDArray labels, String side) {
        Shape logits = clean.getShape();
        Shape labelShape = labels.getShape();
        if (logits.dimension() != 3 || logits.get(1) < 2) {
            throw new IllegalArgumentException(side + ": logits must be [B, T, V] with T >= 2, got " + logits);
        }
        if (labelShape.dimension() != 2 || labelShape.get(0) != logits.get(0) || labelShape.get(1) != logits.get(1)) {
            throw new IllegalArgumentException(side + ": labels " + labelShape + " do not match logits " + logits);
        }
        if (!labels.getDataType().isInteger()) {
            throw new IllegalArgumentException(side + ": labels must be integer token ids, got " + labels.getDataType());
        }
        if (corrupted != null && !corrupted.getShape().equals(logits)) {
            throw new IllegalArgumentException(side + ": corrupted-image logits " + corrupted.getShape()
                    + " differ from clean " + logits);
        }
    }
}
