package io.tpostream.streams;

import io.tpostream.schema.DeadLetter;
import io.tpostream.schema.FeedbackEvent;
import io.tpostream.schema.FeedbackKind;
import io.tpostream.schema.FeedbackOutcome;
import io.tpostream.schema.PreferencePair;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static io.tpostream.streams.TestEvents.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The accounting invariant over random mixed streams: every input record is in exactly one of (a) the source
 * event ids of at least one emitted pair, (b) exactly one dead letter, (c) the rating store, held without having
 * paired, (d) exactly one outcome record (expired unpaired, repeated pair). Nothing is dropped, nothing is counted
 * twice: in = pair sources + dead letters + held + outcomes.
 */
class AccountingPropertyTest {

    /** What one step of a generated stream sends. */
    enum Kind { RATING, CORRECTION, COMPARISON, RESEND, SAME_ID_NEW_CONTENT, GARBAGE, NULL_VALUE, OUT_OF_RANGE,
        WRONG_KEY, LATE_RATING, BIG_JUMP, REPEAT_PAIR }

    /** Ratings are the interesting case: they are drawn four times as often as anything else. */
    private static final List<Kind> KINDS;

    static {
        List<Kind> kinds = new ArrayList<>(List.of(Kind.values()));
        kinds.addAll(List.of(Kind.RATING, Kind.RATING, Kind.RATING));
        KINDS = List.copyOf(kinds);
    }

    record Step(Kind kind, int image, int prompt, int ratingHalves, int text, int otherText, int advanceSeconds,
                int pick) {
    }

    private static final String[] TEXTS = {"a cat on a mat", "a dog on a mat", "a cat", "an empty mat"};
    private static final String[] PROMPTS = {"Describe the image.", "What animal is this?"};
    /** Keeps all record times within dedupRetention, so each event id is accepted at most once. */
    private static final Duration MAX_SPAN = Duration.ofMinutes(50);

    @Provide
    Arbitrary<List<Step>> streams() {
        Arbitrary<Step> step = Combinators.combine(
                Arbitraries.of(KINDS),
                Arbitraries.integers().between(0, 1),
                Arbitraries.integers().between(0, 1),
                Arbitraries.integers().between(2, 10),
                Arbitraries.integers().between(0, TEXTS.length - 1),
                Arbitraries.integers().between(0, TEXTS.length - 1),
                Arbitraries.integers().between(0, 90),
                Arbitraries.integers().between(0, 10_000)).as(Step::new);
        return step.list().ofMinSize(20).ofMaxSize(150);
    }

    @Property(tries = 40)
    void everyRecordIsPairedDeadLetteredHeldOrAnOutcomeExactlyOnce(@ForAll("streams") List<Step> steps) {
        // a small cap and a short window so that every path is taken often
        PairingConfig config = PairingDriver.config().maxPairsPerKey(3).ratingWindow(Duration.ofMinutes(5))
                .grace(Duration.ofMinutes(1)).build();
        Ledger ledger = run(config, steps);
        // the paths the invariant is about must actually be taken, or the property proves little
        for (String outcome : ledger.outcomes()) {
            Statistics.label("outcomes").collect(outcome);
        }
        Statistics.label("outcomes").coverage(c -> {
            for (String o : List.of("RATING pair", "CORRECTION pair", "COMPARISON pair", "held at end",
                    "DUPLICATE_EVENT", "DUPLICATE_PAIR", "PAIR_CAP_REACHED", "UNPAIRED_EXPIRED", "KEY_MISMATCH")) {
                c.check(o).count(tries -> tries >= 1);
            }
        });
    }

    @Example
    void theInvariantHoldsWithRocksDbStoresToo() {
        Random random = new Random(20261126);
        List<Step> steps = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            steps.add(new Step(KINDS.get(random.nextInt(KINDS.size())), random.nextInt(2), random.nextInt(2),
                    2 + random.nextInt(9), random.nextInt(TEXTS.length), random.nextInt(TEXTS.length),
                    random.nextInt(30), random.nextInt(10_000)));
        }
        run(PairingConfig.builder().storeType(PairingConfig.StoreType.ROCKSDB).maxPairsPerKey(3).build(), steps);
    }

    /** Sends the steps, checks the invariant, then lets every window close and checks it again. */
    private static Ledger run(PairingConfig config, List<Step> steps) {
        try (PairingDriver driver = new PairingDriver(config)) {
            Ledger ledger = new Ledger();
            Instant clock = T0;
            for (int i = 0; i < steps.size(); i++) {
                Step s = steps.get(i);
                if (s.kind() == Kind.BIG_JUMP) {
                    clock = clock.plus(config.ratingWindow()).plus(config.grace());
                } else {
                    clock = clock.plusSeconds(s.advanceSeconds());
                }
                if (clock.isAfter(T0.plus(MAX_SPAN))) {
                    clock = T0.plus(MAX_SPAN);
                }
                ledger.send(driver, s, "ev-" + i, clock);
            }
            ledger.check(driver);
            ledger.heldAtEnd = driver.held().size();

            // a record far in the future closes every rating window
            FeedbackEvent last = TestEvents.correction("drain", "x", "y").image(TestEvents.imageByUri("drain"))
                    .build();
            ledger.sendEvent(driver, last, T0.plus(MAX_SPAN).plus(Duration.ofHours(2)));
            ledger.check(driver);
            assertEquals(Map.of(), driver.held(), "all windows closed");
            return ledger;
        }
    }

    /** What was sent and what came out, accumulated over the run. */
    private static final class Ledger {
        private final List<Long> offsets = new ArrayList<>();
        /** offset -> the event id the record carries, for records that decode */
        private final Map<Long, String> idByOffset = new HashMap<>();
        private final List<byte[][]> sent = new ArrayList<>();
        private final List<PreferencePair> pairs = new ArrayList<>();
        private final List<DeadLetter> deadLetters = new ArrayList<>();
        private final List<FeedbackOutcome> outcomeRecords = new ArrayList<>();
        private int heldAtEnd;

        /** The kinds of outcome this run produced, each once. */
        Set<String> outcomes() {
            Set<String> out = new HashSet<>();
            pairs.forEach(p -> out.add(p.getSourceKind() + " pair"));
            deadLetters.forEach(d -> out.add(d.getReason()));
            outcomeRecords.forEach(o -> out.add(o.getOutcome()));
            if (heldAtEnd > 0) {
                out.add("held at end");
            }
            return out;
        }

        void send(PairingDriver driver, Step s, String eventId, Instant at) {
            String sha = TestEvents.imageByUri("img-" + s.image()).getSha256();
            switch (s.kind()) {
                case RATING, BIG_JUMP -> sendEvent(driver, rating(s, eventId), at);
                case LATE_RATING -> sendEvent(driver, rating(s, eventId), at.minus(Duration.ofMinutes(9)));
                case CORRECTION -> sendEvent(driver, base(TestEvents.correction(eventId, TEXTS[s.text()],
                        TEXTS[s.otherText()]), s).build(), at);
                case COMPARISON -> sendEvent(driver, base(TestEvents.comparison(eventId, TEXTS[s.text()],
                        TEXTS[s.otherText()], s.pick() % 2 == 0), s).build(), at);
                // always the same two texts under a new id: a repeated pair once the first of them paired
                case REPEAT_PAIR -> sendEvent(driver, base(TestEvents.correction(eventId, TEXTS[0], TEXTS[1]), s)
                        .build(), at);
                case OUT_OF_RANGE -> sendEvent(driver, base(TestEvents.rating(eventId, 7), s).build(), at);
                case WRONG_KEY -> sendRaw(driver, "not-" + sha, TestEvents.encode(rating(s, eventId)), eventId, at);
                case GARBAGE -> sendRaw(driver, sha, ("garbage " + eventId).getBytes(StandardCharsets.UTF_8), null,
                        at);
                case NULL_VALUE -> sendRaw(driver, sha, null, null, at);
                case RESEND -> {
                    if (sent.isEmpty()) {
                        sendEvent(driver, rating(s, eventId), at);
                    } else {
                        int k = s.pick() % sent.size();
                        byte[][] earlier = sent.get(k);
                        sendRaw(driver, new String(earlier[0], StandardCharsets.UTF_8), earlier[1],
                                idByOffset.get((long) k), at);
                    }
                }
                case SAME_ID_NEW_CONTENT -> {
                    String reused = idByOffset.isEmpty() ? eventId
                            : idByOffset.values().stream().sorted().toList().get(s.pick() % idByOffset.size());
                    sendEvent(driver, rating(s, reused), at);
                }
            }
            collect(driver);
        }

        private static FeedbackEvent rating(Step s, String eventId) {
            return base(TestEvents.rating(eventId, s.ratingHalves() / 2.0), s).response(TEXTS[s.text()]).build();
        }

        private static TestEvents.Builder base(TestEvents.Builder b, Step s) {
            return b.image(TestEvents.imageByUri("img-" + s.image())).prompt(PROMPTS[s.prompt()]);
        }

        void sendEvent(PairingDriver driver, FeedbackEvent e, Instant at) {
            sendRaw(driver, e.getImage().getSha256(), TestEvents.encode(e), e.getEventId(), at);
            collect(driver);
        }

        private void sendRaw(PairingDriver driver, String key, byte[] value, String eventId, Instant at) {
            long offset = driver.send(key, value, at);
            offsets.add(offset);
            sent.add(new byte[][] {key.getBytes(StandardCharsets.UTF_8), value});
            if (eventId != null) {
                idByOffset.put(offset, eventId);
            }
        }

        private void collect(PairingDriver driver) {
            pairs.addAll(driver.pairs());
            deadLetters.addAll(driver.deadLetters());
            outcomeRecords.addAll(driver.outcomes());
        }

        void check(PairingDriver driver) {
            collect(driver);
            Map<String, PairingDriver.Held> held = driver.held();

            // (b) at most one dead letter per record, and only for records that were sent
            Map<Long, Integer> lettersPerOffset = new HashMap<>();
            for (DeadLetter d : deadLetters) {
                lettersPerOffset.merge(d.getSourceOffset(), 1, Integer::sum);
                assertTrue(offsets.contains(d.getSourceOffset()), "dead letter for an unknown offset: " + d);
            }
            lettersPerOffset.forEach((offset, n) -> assertEquals(1, n, "dead letters for offset " + offset));
            // (d) at most one outcome per record, never for a dead-lettered one, and only for accepted events
            Map<String, Long> outcomeOffsetById = new HashMap<>();
            for (FeedbackOutcome o : outcomeRecords) {
                assertFalse(lettersPerOffset.containsKey(o.getSourceOffset()), "dead letter and outcome: " + o);
                assertEquals(idByOffset.get(o.getSourceOffset()), o.getEventId(), "outcome points at its record");
                assertEquals(null, outcomeOffsetById.put(o.getEventId(), o.getSourceOffset()), "two outcomes: " + o);
            }

            // every record that is not a dead letter was accepted: it carries an id no other accepted record has
            Map<String, Long> acceptedOffsetById = new HashMap<>();
            for (long offset : offsets) {
                if (!lettersPerOffset.containsKey(offset)) {
                    String id = idByOffset.get(offset);
                    assertNotNull(id, "record " + offset + " is neither dead-lettered nor a readable event");
                    Long other = acceptedOffsetById.put(id, offset);
                    assertEquals(null, other, "event id " + id + " accepted twice");
                }
            }

            Set<String> paired = new HashSet<>();
            pairs.forEach(p -> paired.addAll(p.getSourceEventIds()));
            // the whole run lies within pairRetention: no pair id may be emitted twice
            assertEquals(pairs.size(), pairs.stream().map(PreferencePair::getPairId).distinct().count(),
                    "a pair id emitted twice");
            Set<String> heldUnpaired = new HashSet<>();
            held.values().forEach(h -> {
                if (!h.paired()) {
                    heldUnpaired.add(h.eventId());
                }
            });

            // (a) and (c) only hold accepted records, and each accepted record is in exactly one of them
            for (String id : paired) {
                assertTrue(acceptedOffsetById.containsKey(id), "pair source " + id + " is not an accepted record");
                assertFalse(heldUnpaired.contains(id), id + " paired but held as unpaired");
            }
            for (String id : held.keySet()) {
                assertTrue(acceptedOffsetById.containsKey(id), "held " + id + " is not an accepted record");
                assertEquals(paired.contains(id), held.get(id).paired(), "paired flag of " + id);
            }
            for (String id : acceptedOffsetById.keySet()) {
                int places = (paired.contains(id) ? 1 : 0) + (heldUnpaired.contains(id) ? 1 : 0)
                        + (outcomeOffsetById.containsKey(id) ? 1 : 0);
                assertEquals(1, places, "accepted record " + id + " is in " + places
                        + " of: pair sources, held, outcomes");
            }
            assertEquals(offsets.size(), deadLetters.size() + paired.size() + heldUnpaired.size()
                    + outcomeRecords.size(), "every record counted exactly once");

            Map<String, Long> m = driver.metrics();
            assertEquals(offsets.size(), m.get("events-in"));
            assertEquals(pairs.size(), m.get("pairs-out"));
            assertEquals(deadLetters.size(), m.get("dead-letters"));
            assertEquals(outcomeRecords.size(), m.get("outcomes"));
            assertEquals(heldUnpaired.size(), m.get("held-ratings"), "the gauge counts held ratings that have not paired");
            pairs.forEach(p -> assertTrue(p.getSourceKind() != FeedbackKind.UNKNOWN));
        }
    }
}
