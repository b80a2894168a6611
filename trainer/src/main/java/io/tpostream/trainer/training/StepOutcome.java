package io.tpostream.trainer.training;

import java.util.List;
import java.util.Map;

/**
 * What one preference step did.
 *
 * @param applied     false if the update was skipped (non-finite gradient): the weights did not change
 * @param trained     ids of the pairs whose gradients went into the update
 * @param quarantined pairs left out, with the reason (non-finite loss or gradient)
 * @param metrics     loss, rewards/*, logps/*, score/*, weight/*, grad_norm, learning_rate
 * @param traces      per-token scores and weights of the trained pairs
 */
public record StepOutcome(boolean applied, List<String> trained, Map<String, String> quarantined,
                          Map<String, Double> metrics, List<PairTrace> traces) {
}
