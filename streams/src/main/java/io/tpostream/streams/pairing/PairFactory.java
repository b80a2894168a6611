package io.tpostream.streams.pairing;

import io.tpostream.schema.FeedbackEvent;
import io.tpostream.schema.FeedbackKind;
import io.tpostream.schema.ImageRef;
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

    /** One side of a rating pair: what a pair takes from a rating, whether it just arrived or was held. */
    record RatingSide(String eventId, String response, long occurredAt, String modelName, long modelVersion,
                      String tenant, ImageRef inlineImage) {

        static RatingSide of(FeedbackEvent e) {
            return new RatingSide(e.getEventId(), e.getResponse(), e.getOccurredAt().toEpochMilli(), e.getModelName(),
                    e.getModelVersion(), e.getTenant(), HeldRating.ifInline(e.getImage()));
        }

        static RatingSide of(HeldRating h) {
            return new RatingSide(h.eventId(), h.response(), h.occurredAt(), h.modelName(), h.modelVersion(),
                    h.tenant(), h.inlineImage());
        }
    }

    /**
     * Two ratings of the same image and prompt: the higher-rated response wins by the gap. Both name the same image
     * sha-256; the pair carries a reference with the bytes if either side has one (the chosen side's first), since
     * that always resolves, else the arriving record's. Model name and tenant are the newer event's (later
     * occurredAt; the arriving one on a tie). The policy version is the older event's: a pair is as stale as the
     * oldest policy that wrote part of it.
     *
     * @param arrivingImage the arriving record's image reference
     */
    PreferencePair rating(String prompt, ImageRef arrivingImage, RatingSide arriving, RatingSide held,
                          boolean arrivingChosen, double gap, long createdAt) {
        RatingSide chosen = arrivingChosen ? arriving : held;
        RatingSide rejected = arrivingChosen ? held : arriving;
        RatingSide newer = held.occurredAt() > arriving.occurredAt() ? held : arriving;
        ImageRef image = chosen.inlineImage() != null ? chosen.inlineImage()
                : rejected.inlineImage() != null ? rejected.inlineImage() : arrivingImage;
        return PreferencePair.newBuilder()
                .setPairId(Sha256.pairId(image.getSha256(), prompt, chosen.response(), rejected.response()))
                .setImage(image)
                .setPrompt(prompt)
                .setChosen(chosen.response())
                .setRejected(rejected.response())
                .setMargin(gap)
                .setSourceKind(FeedbackKind.RATING)
                .setSourceEventIds(List.of(chosen.eventId(), rejected.eventId()))
                .setSourceOccurredAt(Instant.ofEpochMilli(newer.occurredAt()))
                .setModelName(newer.modelName())
                .setPolicyVersion(Math.min(arriving.modelVersion(), held.modelVersion()))
                .setTenant(newer.tenant())
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
