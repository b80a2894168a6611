package io.tpostream.streams.pairing;

import io.tpostream.schema.FeedbackEvent;
import io.tpostream.schema.FeedbackKind;
import io.tpostream.schema.PreferencePair;
import io.tpostream.schema.Sha256;

import java.time.Instant;
import java.util.List;

/**
 * Builds preference pairs from validated events. Pure: createdAt is the timestamp of the record that completed
 * the pair, passed in, so a replay writes identical pairs.
 */
final class PairFactory {

    private final String generatorVersion;

    PairFactory(String generatorVersion) {
        this.generatorVersion = generatorVersion;
    }

    /** The user's corrected text beats the model's response. */
    PreferencePair correction(FeedbackEvent e, long createdAt) {
        return single(e, e.getCorrectedResponse(), e.getResponse(), createdAt);
    }

    /** Of the two responses shown, the one the user preferred wins. */
    PreferencePair comparison(FeedbackEvent e, long createdAt) {
        boolean otherWins = e.getOtherPreferred();
        String chosen = otherWins ? e.getOtherResponse() : e.getResponse();
        String rejected = otherWins ? e.getResponse() : e.getOtherResponse();
        return single(e, chosen, rejected, createdAt);
    }

    /**
     * Two ratings of the same image and prompt: the higher-rated response wins by the gap. The image is the chosen
     * side's; model name and tenant are the newer event's (later occurredAt; the arriving one on a tie). The policy
     * version is the older event's: a pair is as stale as the oldest policy that wrote part of it.
     */
    PreferencePair rating(FeedbackEvent arriving, FeedbackEvent held, boolean arrivingChosen, double gap,
                          long createdAt) {
        FeedbackEvent chosen = arrivingChosen ? arriving : held;
        FeedbackEvent rejected = arrivingChosen ? held : arriving;
        FeedbackEvent newer = held.getOccurredAt().isAfter(arriving.getOccurredAt()) ? held : arriving;
        Instant latest = newer.getOccurredAt();
        return PreferencePair.newBuilder()
                .setPairId(pairId(chosen, chosen.getResponse(), rejected.getResponse()))
                .setImage(chosen.getImage())
                .setPrompt(chosen.getPrompt())
                .setChosen(chosen.getResponse())
                .setRejected(rejected.getResponse())
                .setMargin(gap)
                .setSourceKind(FeedbackKind.RATING)
                .setSourceEventIds(List.of(chosen.getEventId(), rejected.getEventId()))
                .setSourceOccurredAt(latest)
                .setModelName(newer.getModelName())
                .setPolicyVersion(Math.min(arriving.getModelVersion(), held.getModelVersion()))
                .setTenant(newer.getTenant())
                .setGeneratorVersion(generatorVersion)
                .setCreatedAt(Instant.ofEpochMilli(createdAt))
                .build();
    }

    /** The id a pair of these texts for this event's image and prompt has. */
    static String pairId(FeedbackEvent e, String chosen, String rejected) {
        return Sha256.pairId(e.getImage().getSha256(), e.getPrompt(), chosen, rejected);
    }

    private PreferencePair single(FeedbackEvent e, String chosen, String rejected, long createdAt) {
        return PreferencePair.newBuilder()
                .setPairId(pairId(e, chosen, rejected))
                .setImage(e.getImage())
                .setPrompt(e.getPrompt())
                .setChosen(chosen)
                .setRejected(rejected)
                .setMargin(1.0)
                .setSourceKind(e.getKind())
                .setSourceEventIds(List.of(e.getEventId()))
                .setSourceOccurredAt(e.getOccurredAt())
                .setModelName(e.getModelName())
                // the event's one version stamp is the version that wrote its response: a correction's other side
                // is a person's text, and a comparison's other response is taken as shown beside it by that version
                .setPolicyVersion(e.getModelVersion())
                .setTenant(e.getTenant())
                .setGeneratorVersion(generatorVersion)
                .setCreatedAt(Instant.ofEpochMilli(createdAt))
                .build();
    }
}
