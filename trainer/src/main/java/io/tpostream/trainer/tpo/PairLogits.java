package io.tpostream.trainer.tpo;

import ai.djl.ndarray.NDArray;

import java.util.Objects;

/**
 * One model's logits for a batch of preference pairs, each [B, T, V] and unshifted (row t predicts label t + 1).
 * The corrupted-image logits may be null when the {@link Objective} does not need them (plain DPO); chosen and
 * rejected may have different lengths T.
 */
public record PairLogits(NDArray chosenClean, NDArray chosenCorrupted, NDArray rejectedClean, NDArray rejectedCorrupted) {

    public PairLogits {
        Objects.requireNonNull(chosenClean, "chosenClean");
        Objects.requireNonNull(rejectedClean, "rejectedClean");
    }

    /** Clean-image logits only, for objectives that need no corrupted pass. */
    public static PairLogits cleanOnly(NDArray chosenClean, NDArray rejectedClean) {
        return new PairLogits(chosenClean, null, rejectedClean, null);
    }
}
