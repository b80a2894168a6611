package io.tpostream.trainer.tpo;

import java.util.Objects;

/** One model's {@link SideTokens} for a batch of pairs: what {@link TpoLoss} needs of its chosen and rejected passes. */
public record PairTokens(SideTokens chosen, SideTokens rejected) {

    public PairTokens {
        Objects.requireNonNull(chosen, "chosen");
        Objects.requireNonNull(rejected, "rejected");
    }
}
