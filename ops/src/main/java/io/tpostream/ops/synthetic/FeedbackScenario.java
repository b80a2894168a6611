package io.tpostream.ops.synthetic;

import io.tpostream.schema.AvroSerde;
import io.tpostream.schema.FeedbackEvent;
import io.tpostream.schema.ImageRef;
import io.tpostream.schema.Sha256;
import io.tpostream.streams.Outcome;
import io.tpostream.streams.RejectReason;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Feedback for exactly-once tests and benchmarks, in two phases, where the fate of every record is known by construction: what
 * pairs it makes, which dead letter it becomes, or that it stays held. Mixed kinds on many images (so on every
 * partition), duplicates, bad records, and rating pairs whose two halves fall in different phases (so a pair
 * needs state that survived whatever happened between the phases).
 *
 * <p>Built for one unit {@code u} at a time, by {@code u % 10}:
 * <pre>
 *  0  two ratings 5 and 1, both in phase 1, and a resend of the first (DUPLICATE_EVENT) -> 1 pair
 *  1  a rating 5 in phase 1, its partner rating 1 in phase 2                             -> 1 pair
 *  2  a correction in phase 1, and its resend in phase 2 (DUPLICATE_EVENT)               -> 1 pair
 *  3  a comparison in phase 2                                                             -> 1 pair
 *  4  a lone rating 3 in phase 1 (held), and its resend in phase 2 (DUPLICATE_EVENT)
 *  5  bytes that are no Avro record, phase 1                                                -> UNDECODABLE
 *  6  a blank prompt, phase 2                                                               -> MISSING_PROMPT
 *  7  a rating of 9 on a 1..5 scale, phase 1                                                -> RATING_OUT_OF_RANGE
 *  8  keyed by another image than its own, phase 2                                          -> KEY_MISMATCH
 *  9  a correction in phase 2, and another event with the same texts (DUPLICATE_PAIR outcome) -> 1 pair
 * </pre>
 * Events are encoded when a phase is asked for, with occurredAt then, so they pass the skew check against the send
 * time.
 */
public final class FeedbackScenario {

    /** What must become of one record. */
    public sealed interface Fate {
        /** It is a source of exactly one pair. */
        record PairSource(String eventId) implements Fate {
        }

        /** It becomes exactly one dead letter with this reason. */
        record Dead(RejectReason reason) implements Fate {
        }

        /** A valid rating without a partner: neither a pair nor a dead letter while its window is open. */
        record Held(String eventId) implements Fate {
        }

        /** A valid record that ends without a pair of its own as the rules intend: exactly one outcome record. */
        record Ended(String eventId, Outcome outcome) implements Fate {
        }
    }

    /** One record to send: raw key and value, and its fate. */
    public record Input(byte[] key, byte[] value, Fate fate) {
    }

    private static final String PROMPT = "Describe the image.";
    private static final AvroSerde<FeedbackEvent> SERDE = AvroSerde.of(FeedbackEvent.class);

    private final int units;
    private final String runId;

    /** @param runId makes event ids and images unique, so that several scenarios can share topics or state */
    public FeedbackScenario(int units, String runId) {
        this.units = units;
        this.runId = runId;
    }

    /** The records of phase 1 or 2, originals first, then resends of earlier originals. */
    public List<Input> phase(int phase) {
        Instant now = Instant.now();
        List<Input> originals = new ArrayList<>();
        List<Input> resends = new ArrayList<>();
        for (int u = 0; u < units; u++) {
            String id = runId + "-" + u;
            ImageRef image = SyntheticEvents.imageByUri(id);
            switch (u % 10) {
                case 0 -> {
                    if (phase == 1) {
                        FeedbackEvent good = SyntheticEvents.rating(id + "a", image, PROMPT, "good " + id, 5, now);
                        originals.add(valid(good, new Fate.PairSource(good.getEventId())));
                        originals.add(valid(SyntheticEvents.rating(id + "b", image, PROMPT, "bad " + id, 1, now),
                                new Fate.PairSource(id + "b")));
                        resends.add(valid(good, new Fate.Dead(RejectReason.DUPLICATE_EVENT)));
                    }
                }
                case 1 -> {
                    if (phase == 1) {
                        originals.add(valid(SyntheticEvents.rating(id + "a", image, PROMPT, "good " + id, 5, now),
                                new Fate.PairSource(id + "a")));
                    } else {
                        originals.add(valid(SyntheticEvents.rating(id + "b", image, PROMPT, "bad " + id, 1, now),
                                new Fate.PairSource(id + "b")));
                    }
                }
                case 2 -> {
                    FeedbackEvent c = SyntheticEvents.correction(id, image, PROMPT, "a dog " + id, "a cat " + id, now);
                    // phase 2 resends phase 1's event: same id, same content (occurredAt is the resend's)
                    if (phase == 1) {
                        originals.add(valid(c, new Fate.PairSource(id)));
                    } else {
                        resends.add(valid(c, new Fate.Dead(RejectReason.DUPLICATE_EVENT)));
                    }
                }
                case 3 -> {
                    if (phase == 2) {
                        originals.add(valid(SyntheticEvents.comparison(id, image, PROMPT, "a tree " + id,
                                "a bush " + id, u % 20 == 3, now), new Fate.PairSource(id)));
                    }
                }
                case 4 -> {
                    FeedbackEvent lone = SyntheticEvents.rating(id, image, PROMPT, "so-so " + id, 3, now);
                    if (phase == 1) {
                        originals.add(valid(lone, new Fate.Held(id)));
                    } else {
                        resends.add(valid(lone, new Fate.Dead(RejectReason.DUPLICATE_EVENT)));
                    }
                }
                case 5 -> {
                    if (phase == 1) {
                        originals.add(new Input(utf8(image.getSha256()), utf8("not avro " + id),
                                new Fate.Dead(RejectReason.UNDECODABLE)));
                    }
                }
                case 6 -> {
                    if (phase == 2) {
                        originals.add(valid(SyntheticEvents.correction(id, image, " ", "x", "y", now),
                                new Fate.Dead(RejectReason.MISSING_PROMPT)));
                    }
                }
                case 7 -> {
                    if (phase == 1) {
                        originals.add(valid(SyntheticEvents.rating(id, image, PROMPT, "r " + id, 9, now),
                                new Fate.Dead(RejectReason.RATING_OUT_OF_RANGE)));
                    }
                }
                case 8 -> {
                    if (phase == 2) {
                        FeedbackEvent e = SyntheticEvents.correction(id, image, PROMPT, "x " + id, "y " + id, now);
                        originals.add(new Input(utf8(SyntheticEvents.imageByUri("other-" + id).getSha256()),
                                SERDE.encode(e), new Fate.Dead(RejectReason.KEY_MISMATCH)));
                    }
                }
                default -> {
                    if (phase == 2) {
                        originals.add(valid(SyntheticEvents.correction(id, image, PROMPT, "a hat " + id,
                                "a cap " + id, now), new Fate.PairSource(id)));
                        // another user's identical correction: a new event, but the same pair again
                        resends.add(valid(SyntheticEvents.correction(id + "r", image, PROMPT, "a hat " + id,
                                "a cap " + id, now), new Fate.Ended(id + "r", Outcome.DUPLICATE_PAIR)));
                    }
                }
            }
        }
        originals.addAll(resends);
        return originals;
    }

    /** The source event ids of every pair the scenario makes, each list as the pair carries it. */
    public List<List<String>> expectedPairSources() {
        List<List<String>> pairs = new ArrayList<>();
        for (int u = 0; u < units; u++) {
            String id = runId + "-" + u;
            switch (u % 10) {
                // rating pairs: the higher rating (the "a" event) is the chosen side, listed first
                case 0, 1 -> pairs.add(List.of(id + "a", id + "b"));
                case 2, 3, 9 -> pairs.add(List.of(id));
                default -> {
                    // no pair
                }
            }
        }
        return pairs;
    }

    /**
     * The id of every pair the scenario makes: pair ids are derived from the image, prompt and the two texts only,
     * so they are the same whichever instance, task or attempt builds the pair.
     */
    public Set<String> expectedPairIds() {
        Set<String> ids = new TreeSet<>();
        for (int u = 0; u < units; u++) {
            String id = runId + "-" + u;
            String sha = SyntheticEvents.imageByUri(id).getSha256();
            switch (u % 10) {
                case 0, 1 -> ids.add(Sha256.pairId(sha, PROMPT, "good " + id, "bad " + id));
                case 2 -> ids.add(Sha256.pairId(sha, PROMPT, "a cat " + id, "a dog " + id));
                case 3 -> ids.add(u % 20 == 3 ? Sha256.pairId(sha, PROMPT, "a bush " + id, "a tree " + id)
                        : Sha256.pairId(sha, PROMPT, "a tree " + id, "a bush " + id));
                case 9 -> ids.add(Sha256.pairId(sha, PROMPT, "a cap " + id, "a hat " + id));
                default -> {
                    // no pair
                }
            }
        }
        return ids;
    }

    private static Input valid(FeedbackEvent e, Fate fate) {
        return new Input(utf8(e.getImage().getSha256()), SERDE.encode(e), fate);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
