package io.tpostream.trainer.training;

/**
 * Where a step's per-token arrays ([pairs, slots], one side) sit in the encoded sequences: slot k of pair i holds
 * the label at position {@code firstPosition[i] + k}, {@code labels[i][k]}, ignored where it is
 * {@link io.tpostream.trainer.model.PromptFormat#IGNORE}. What a trace needs to name each scored token.
 */
record TokenSlots(long[][] labels, int[] firstPosition) {
}
