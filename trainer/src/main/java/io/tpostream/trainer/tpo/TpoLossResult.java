package io.tpostream.trainer.tpo;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What {@link TpoLoss} computed for one batch. Only {@link #loss()} is attached to the autograd graph; every other
 * array is detached, for logging and token-reward traces. Per-token arrays are [B, T-1] over shifted positions
 * (position j = logits row j predicting label j + 1) and hold 0 where the label is masked. All arrays live as
 * long as the manager of the logits they came from.
 */
public final class TpoLossResult {

    /** Metric names in {@link #metrics()} order; a side's score mean is left out when it has no scores. */
    public static final List<String> METRIC_NAMES = List.of("loss", "rewards/chosen", "rewards/rejected",
            "rewards/margins", "rewards/accuracies", "logps/chosen", "logps/rejected", "score/chosen_mean",
            "score/rejected_mean", "weight/chosen_mean", "weight/rejected_mean");

    private final NDArray loss;
    private final NDArray policyChosenLogps;
    private final NDArray policyRejectedLogps;
    private final NDArray referenceChosenLogps;
    private final NDArray referenceRejectedLogps;
    private final NDArray chosenScores;
    private final NDArray rejectedScores;
    private final NDArray chosenWeights;
    private final NDArray rejectedWeights;
    private final NDArray chosenMask;
    private final NDArray rejectedMask;
    private final NDArray rewardsChosen;
    private final NDArray rewardsRejected;
    private Map<String, Double> metrics;

    TpoLossResult(NDArray loss, NDArray policyChosenLogps, NDArray policyRejectedLogps, NDArray referenceChosenLogps,
                  NDArray referenceRejectedLogps, NDArray chosenScores, NDArray rejectedScores, NDArray chosenWeights,
                  NDArray rejectedWeights, NDArray chosenMask, NDArray rejectedMask, NDArray rewardsChosen,
                  NDArray rewardsRejected) {
        this.loss = loss;
        this.policyChosenLogps = policyChosenLogps;
        this.policyRejectedLogps = policyRejectedLogps;
        this.referenceChosenLogps = referenceChosenLogps;
        this.referenceRejectedLogps = referenceRejectedLogps;
        this.chosenScores = chosenScores;
        this.rejectedScores = rejectedScores;
        this.chosenWeights = chosenWeights;
        this.rejectedWeights = rejectedWeights;
        this.chosenMask = chosenMask;
        this.rejectedMask = rejectedMask;
        this.rewardsChosen = rewardsChosen;
        this.rewardsRejected = rewardsRejected;
    }

    /** Scalar mean loss over the batch, attached to the graph: the array to call backward on. */
    public NDArray loss() {
        return loss;
    }

    /** [B] policy logp(y_w) = sum of log p + log c over chosen response tokens. */
    public NDArray policyChosenLogps() {
        return policyChosenLogps;
    }

    /** [B] policy logp(y_l). */
    public NDArray policyRejectedLogps() {
        return policyRejectedLogps;
    }

    /** [B] reference logp(y_w), with the reference's own weights. */
    public NDArray referenceChosenLogps() {
        return referenceChosenLogps;
    }

    /** [B] reference logp(y_l). */
    public NDArray referenceRejectedLogps() {
        return referenceRejectedLogps;
    }

    /** [B, T_w - 1] policy visual-anchored scores s of chosen tokens; null when no corrupted logits were given. */
    public NDArray chosenScores() {
        return chosenScores;
    }

    /** [B, T_l - 1] policy scores of rejected tokens; null when no corrupted logits were given. */
    public NDArray rejectedScores() {
        return rejectedScores;
    }

    /** [B, T_w - 1] policy token weights c of chosen tokens (1 where the objective leaves the side unweighted). */
    public NDArray chosenWeights() {
        return chosenWeights;
    }

    /** [B, T_l - 1] policy token weights c of rejected tokens. */
    public NDArray rejectedWeights() {
        return rejectedWeights;
    }

    /** [B, T_w - 1] boolean, true on scored (response) positions of the chosen sequences. */
    public NDArray chosenMask() {
        return chosenMask;
    }

    /** [B, T_l - 1] boolean, true on scored positions of the rejected sequences. */
    public NDArray rejectedMask() {
        return rejectedMask;
    }

    /** [B] beta (logp_policy(y_w) - logp_ref(y_w)), the implicit reward of the chosen responses. */
    public NDArray rewardsChosen() {
        return rewardsChosen;
    }

    /** [B] beta (logp_policy(y_l) - logp_ref(y_l)). */
    public NDArray rewardsRejected() {
        return rewardsRejected;
    }

    /**
     * The batch metrics (TRL names, formulas in {@link TpoLoss}), read to the host in a single transfer on first
     * call and cached. Call it before the step's manager is closed.
     */
    public Map<String, Double> metrics() {
        if (metrics == null) {
            metrics = readMetrics();
        }
        return metrics;
    }

    private Map<String, Double> readMetrics() {
        Map<String, NDArray> onDevice = new LinkedHashMap<>();
        onDevice.put("loss", loss.stopGradient());
        onDevice.put("rewards/chosen", rewardsChosen.mean());
        onDevice.put("rewards/rejected", rewardsRejected.mean());
        onDevice.put("rewards/margins", rewardsChosen.sub(rewardsRejected).mean());
        onDevice.put("rewards/accuracies", rewardsChosen.gt(rewardsRejected).toType(DataType.FLOAT32, false).mean());
        onDevice.put("logps/chosen", policyChosenLogps.mean());
        onDevice.put("logps/rejected", policyRejectedLogps.mean());
        if (chosenScores != null) {
            onDevice.put("score/chosen_mean", maskedMean(chosenScores, chosenMask));
        }
        if (rejectedScores != null) {
            onDevice.put("score/rejected_mean", maskedMean(rejectedScores, rejectedMask));
        }
        onDevice.put("weight/chosen_mean", maskedMean(chosenWeights, chosenMask));
        onDevice.put("weight/rejected_mean", maskedMean(rejectedWeights, rejectedMask));

        // one stacked array, one device-to-host copy
        NDList asFloat = new NDList(onDevice.values().stream().map(v -> v.toType(DataType.FLOAT32, false)).toList());
        float[] host = NDArrays.stack(asFloat).toFloatArray();
        Map<String, Double> out = new LinkedHashMap<>();
        int next = 0;
        for (String name : onDevice.keySet()) {
            out.put(name, (double) host[next++]);
        }
        return Collections.unmodifiableMap(out);
    }

    /** Mean over the scored positions of an array that is already 0 elsewhere; 0 when nothing is scored. */
    private static NDArray maskedMean(NDArray zeroWhereMasked, NDArray mask) {
        NDArray count = mask.toType(DataType.FLOAT32, false).sum().maximum(1f);
        return zeroWhereMasked.toType(DataType.FLOAT32, false).sum().div(count);
    }
}
