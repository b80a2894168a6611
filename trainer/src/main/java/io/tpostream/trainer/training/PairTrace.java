package io.tpostream.trainer.training;

import java.util.List;

/** What each response token of one trained pair was worth: the audit trail behind a token-reward record. */
public record PairTrace(String pairId, List<TokenValue> chosen, List<TokenValue> rejected) {

    /**
     * @param position index of the token in the encoded sequence
     * @param score    visual-anchored score s (clean minus corrupted logit), NaN if the objective computed none
     * @param weight   the token's weight c in the objective (1 for plain DPO)
     */
    public record TokenValue(int position, String token, float score, float weight) {
    }
}
