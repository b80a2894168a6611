package io.tpostream.trainer.online;

import io.tpostream.schema.PairSide;
import io.tpostream.schema.TokenReward;
import io.tpostream.schema.TokenRewardTrace;
import io.tpostream.trainer.training.PairTrace;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Turns a step's per-token values into the audit records of {@code tpo.token-rewards}. */
final class TraceRecords {

    private TraceRecords() {
    }

    static TokenRewardTrace of(PairTrace trace, String modelName, long version, String objective, Instant at) {
        List<TokenReward> tokens = new ArrayList<>();
        trace.chosen().forEach(t -> tokens.add(new TokenReward(PairSide.CHOSEN, t.position(), t.token(), t.score(), t.weight())));
        trace.rejected().forEach(t -> tokens.add(new TokenReward(PairSide.REJECTED, t.position(), t.token(), t.score(), t.weight())));
        return TokenRewardTrace.newBuilder().setPairId(trace.pairId()).setModelName(modelName).setModelVersion(version)
                .setObjective(objective).setTokens(tokens).setCreatedAt(at).build();
    }
}
