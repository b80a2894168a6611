package io.tpostream.trainer.tpo;

import ai.djl.ndarray.NDArray;

import java.util.Objects;

/**
 * The frozen reference model's weighted sequence log-probabilities for a batch of pairs, each [B] and detached:
 * what {@link TpoLoss} needs of the reference, small enough to cache per pair and reference version.
 */
public record ReferenceLogps(NDArray chosen, NDArray rejected) {

    public ReferenceLogps {
        Objects.requireNonNull(chosen, "chosen");
        Objects.requireNonNull(rejected, "rejected");
    }
}
