package io.tpostream.streams;

import io.tpostream.schema.DeadLetter;
import io.tpostream.schema.FeedbackEvent;
import io.tpostream.schema.FeedbackOutcome;
import io.tpostream.schema.FeedbackKind;
import io.tpostream.schema.ImageRef;
import io.tpostream.schema.PreferencePair;
import io.tpostream.schema.Sha256;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;

import static io.tpostream.streams.TestEvents.PROMPT;
import static io.tpostream.streams.TestEvents.T0;
import static io.tpostream.streams.TestEvents.comparison;
import static io.tpostream.streams.TestEvents.correction;
import static io.tpostream.streams.TestEvents.rating;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PairingRulesTest {

    private static final PairingConfig DEFAULTS = PairingConfig.defaults();
    private PairingDriver driver = new PairingDriver();

    @AfterEach
    void close() {
        driver.close();
    }

    private void restartWith(PairingConfig config) {
        driver.close();
        driver = new PairingDriver(config);
    }

    private static String pairId(FeedbackEvent e, String chosen, String rejected) {
        return Sha256.pairId(e.getImage().getSha256(), e.getPrompt(), chosen, rejected);
    }

    @Test
    void aCorrectionPairsAtOnceWithTheCorrectedTextChosen() {
        FeedbackEvent e = correction("c1", "a dog on a mat", "a cat on a mat").tenant("acme")
                .occurredAt(T0.minusSeconds(30)).build();
        Instant recordTime = T0;
        driver.send(e, recordTime);

        List<TestRecord<String, PreferencePair>> out = driver.pairRecords();
        assertEquals(1, out.size());
        assertEquals(e.getImage().getSha256(), out.get(0).key(), "pairs are keyed by image sha-256");
        assertEquals(recordTime, out.get(0).getRecordTime());
        PreferencePair p = out.get(0).value();
        assertEquals(pairId(e, "a cat on a mat", "a dog on a mat"), p.getPairId());
        assertEquals("a cat on a mat", p.getChosen());
        assertEquals("a dog on a mat", p.getRejected());
        assertEquals(1.0, p.getMargin());
        assertEquals(FeedbackKind.CORRECTION, p.getSourceKind());
        assertEquals(List.of("c1"), p.getSourceEventIds());
        assertEquals(e.getOccurredAt(), p.getSourceOccurredAt());
        assertEquals(e.getImage(), p.getImage());
        assertEquals(PROMPT, p.getPrompt());
        assertEquals("scene-vlm", p.getModelName());
        assertEquals("acme", p.getTenant());
        assertEquals("pairing-1", p.getGeneratorVersion());
        assertEquals(recordTime, p.getCreatedAt(), "the completing record's timestamp, not the wall clock");
        assertEquals(List.of(), driver.deadLetters());
    }

    @Test
    void aComparisonPairsAtOnceWithThePreferredResponseChosen() {
        driver.send(comparison("k1", "a dog", "a cat", true), T0);
        driver.send(comparison("k2", "a red ball", "a blue ball", false), T0);
        List<PreferencePair> pairs = driver.pairs();
        assertEquals(2, pairs.size());
        assertEquals(List.of("a cat", "a dog"), List.of(pairs.get(0).getChosen(), pairs.get(0).getRejected()));
        assertEquals(List.of("a red ball", "a blue ball"),
                List.of(pairs.get(1).getChosen(), pairs.get(1).getRejected()));
        assertEquals(FeedbackKind.COMPARISON, pairs.get(0).getSourceKind());
        assertEquals(1.0, pairs.get(1).getMargin());
        assertEquals(List.of("k2"), pairs.get(1).getSourceEventIds());
    }

    @Test
    void twoRatingsFarEnoughApartPairWithTheHigherOneChosen() {
        byte[] png = TestEvents.png(8, 8, 5);
        ImageRef inline = TestEvents.imageInline(png);
        ImageRef byUri = ImageRef.newBuilder(inline).setBytes(null).setUri("file:///same.png").build();
        FeedbackEvent good = rating("r-good", 5).response("a cat").image(inline).modelName("m-old")
                .tenant("t-old").occurredAt(T0).build();
        FeedbackEvent bad = rating("r-bad", 2).response("a dog").image(byUri).modelName("m-new")
                .tenant("t-new").occurredAt(T0.plusSeconds(50)).build();

        driver.send(good, T0);
        assertEquals(List.of(), driver.pairs(), "one rating alone is held");
        driver.send(bad, T0.plusSeconds(60));

        List<TestRecord<String, PreferencePair>> out = driver.pairRecords();
        assertEquals(1, out.size());
        PreferencePair p = out.get(0).value();
        assertEquals("a cat", p.getChosen());
        assertEquals("a dog", p.getRejected());
        assertEquals(3.0, p.getMargin());
        assertEquals(FeedbackKind.RATING, p.getSourceKind());
        assertEquals(List.of("r-good", "r-bad"), p.getSourceEventIds(), "chosen side's event first");
        assertEquals(inline, p.getImage(), "the chosen side's image (this one carries the bytes)");
        assertEquals(T0.plusSeconds(50), p.getSourceOccurredAt(), "the latest occurredAt of the two");
        assertEquals("m-new", p.getModelName(), "from the newer event");
        assertEquals("t-new", p.getTenant(), "from the newer event");
        assertEquals(T0.plusSeconds(60), p.getCreatedAt());
        assertEquals(pairId(good, "a cat", "a dog"), p.getPairId());

        // both stay held (a third rating may pair with either), now marked as paired
        assertTrue(driver.held().values().stream().allMatch(PairingDriver.Held::paired));
    }

    @Test
    void theArrivingRatingCanBeTheChosenOne() {
        driver.send(rating("low", 1).response("a dog"), T0);
        driver.send(rating("high", 4).response("a cat"), T0.plusSeconds(1));
        PreferencePair p = driver.pairs().get(0);
        assertEquals("a cat", p.getChosen());
        assertEquals(List.of("high", "low"), p.getSourceEventIds());
    }

    @Test
    void theRatingGapThresholdIsInclusive() {
        driver.send(rating("a", 3.0).response("one"), T0);
        driver.send(rating("b", 1.1).response("two"), T0.plusSeconds(1));
        assertEquals(List.of(), driver.pairs(), "gap 1.9 < 2.0");
        driver.send(rating("c", 1.0).response("three"), T0.plusSeconds(2));
        List<PreferencePair> pairs = driver.pairs();
        assertEquals(1, pairs.size(), "gap 2.0 >= 2.0 pairs; 1.1 vs 1.0 does not");
        assertEquals(List.of("a", "c"), pairs.get(0).getSourceEventIds());
        assertEquals(2.0, pairs.get(0).getMargin());
    }

    @Test
    void decimalRatingsAreComparedAsWrittenNotInBinary() {
        // in doubles 3.3 - 1.3 = 1.9999999999999998, which would miss a threshold of 2.0
        driver.send(rating("a", 3.3).response("one"), T0);
        driver.send(rating("b", 1.3).response("two"), T0.plusSeconds(1));
        List<PreferencePair> pairs = driver.pairs();
        assertEquals(1, pairs.size());
        assertEquals(2.0, pairs.get(0).getMargin());
    }

    @Test
    void identicalResponsesNeverPairWhateverTheirRatings() {
        driver.send(rating("a", 5).response("a cat"), T0);
        driver.send(rating("b", 1).response("  a cat "), T0.plusSeconds(1));
        assertEquals(List.of(), driver.pairs());
        assertEquals(Set.of("a", "b"), driver.held().keySet());
    }

    @Test
    void aNewRatingPairsWithEveryHeldRatingItDiffersEnoughFromOldestFirst() {
        driver.send(rating("r1", 1).response("one"), T0.plusSeconds(2));
        driver.send(rating("r2", 2).response("two"), T0.plusSeconds(1)); // out of order: older record timestamp
        driver.send(rating("r3", 2.5).response("three"), T0.plusSeconds(3));
        assertEquals(List.of(), driver.pairs());
        driver.send(rating("r4", 5).response("four"), T0.plusSeconds(4));
        List<PreferencePair> pairs = driver.pairs();
        assertEquals(3, pairs.size());
        assertEquals(List.of(List.of("r4", "r2"), List.of("r4", "r1"), List.of("r4", "r3")),
                pairs.stream().map(PreferencePair::getSourceEventIds).toList(), "held ratings by record time");
        assertEquals(List.of(3.0, 4.0, 2.5), pairs.stream().map(PreferencePair::getMargin).toList());
    }

    @Test
    void differentPromptsAndDifferentImagesAreDifferentKeys() {
        driver.send(rating("a", 5).response("one"), T0);
        driver.send(rating("b", 1).response("two").prompt("Count the animals."), T0);
        driver.send(rating("c", 1).response("three").image(TestEvents.imageByUri("dog")), T0);
        assertEquals(List.of(), driver.pairs());
        assertEquals(3, driver.held().size());
    }

    @Test
    void aRatingPairThatWasAlreadyEmittedIsSuppressedAndTheRatingStaysHeldToPairLater() {
        driver.send(rating("a", 5).response("good"), T0);
        driver.send(rating("b", 1).response("bad"), T0.plusSeconds(1));
        assertEquals(1, driver.pairs().size());
        driver.send(rating("c", 1).response("bad"), T0.plusSeconds(60)); // would make ("good", "bad") again
        assertEquals(List.of(), driver.pairs());
        assertEquals(List.of(), driver.deadLetters(), "a rating is never a DUPLICATE_PAIR dead letter");
        assertEquals(List.of(), driver.outcomes(), "nor a DUPLICATE_PAIR outcome: it stays held");
        assertFalse(driver.held().get("c").paired(), "held, unpaired, and may still pair later");

        // within the window of c but no longer of a and b: only c can be its partner
        driver.send(rating("e", 4).response("fine"), T0.plusSeconds(1).plus(DEFAULTS.ratingWindow()).plusMillis(1));
        List<PreferencePair> later = driver.pairs();
        assertEquals(List.of(List.of("e", "c")), later.stream().map(PreferencePair::getSourceEventIds).toList());
        assertTrue(driver.held().get("c").paired());
    }

    @Test
    void oneArrivingRatingNeverEmitsTheSamePairTwice() {
        driver.send(rating("b1", 1).response("bad"), T0);
        driver.send(rating("b2", 1.5).response("bad"), T0);
        driver.send(rating("g", 5).response("good"), T0.plusSeconds(1));
        List<PreferencePair> pairs = driver.pairs();
        assertEquals(List.of(List.of("g", "b1")), pairs.stream().map(PreferencePair::getSourceEventIds).toList(),
                "(good, bad) once, from the oldest partner");
        assertFalse(driver.held().get("b2").paired());
    }

    @Test
    void aComparisonRepeatingAnEmittedPairIsADuplicatePairEvenAcrossKinds() {
        driver.send(correction("c1", "a dog", "a cat"), T0);
        driver.send(comparison("k1", "a dog", "a cat", true), T0.plusSeconds(1));
        assertEquals(1, driver.pairs().size());
        assertEquals(List.of(), driver.deadLetters());
        List<FeedbackOutcome> outcomes = driver.outcomes();
        assertEquals(List.of("DUPLICATE_PAIR"), outcomes.stream().map(FeedbackOutcome::getOutcome).toList());
        assertEquals("k1", outcomes.get(0).getEventId());
    }

    @Test
    void theOppositePreferenceIsADifferentPair() {
        driver.send(correction("c1", "a dog", "a cat"), T0);
        driver.send(correction("c2", "a cat", "a dog"), T0);
        assertEquals(2, driver.pairs().size(), "users may disagree; both signals are kept");
    }

    @Test
    void aPairIdIsForgottenAfterPairRetention() {
        driver.send(correction("c1", "a dog", "a cat"), T0);
        driver.send(correction("c2", "a dog", "a cat"), T0.plus(DEFAULTS.pairRetention()).minusMillis(1));
        assertEquals(List.of("DUPLICATE_PAIR"), driver.outcomeCodes());
        driver.send(correction("c3", "a dog", "a cat"), T0.plus(DEFAULTS.pairRetention()));
        assertEquals(2, driver.pairs().size(), "the same pair may be emitted again once its id is forgotten");
    }

    @Test
    void ratingsOverTheKeysCapStayHeldAndExpireUnpaired() {
        restartWith(PairingDriver.config().maxPairsPerKey(2).build());
        driver.send(rating("r1", 1).response("one"), T0);
        driver.send(rating("r2", 1.5).response("two"), T0);
        driver.send(rating("r3", 5).response("three"), T0.plusSeconds(1));
        assertEquals(2, driver.pairs().size(), "r3 pairs with r1 and r2: the cap of 2 is reached");
        driver.send(rating("r4", 5).response("four"), T0.plusSeconds(2));
        assertEquals(List.of(), driver.pairs(), "over the cap");
        assertEquals(List.of(), driver.deadLetters(), "still held");
        assertFalse(driver.held().get("r4").paired());
        driver.send(correction("c1", "x", "y"), T0.plusSeconds(3));
        assertEquals(List.of("PAIR_CAP_REACHED"), driver.deadLetters().stream().map(DeadLetter::getReason).toList());

        driver.send(correction("elsewhere", "x", "y").image(TestEvents.imageByUri("dog")),
                T0.plus(DEFAULTS.ratingWindow()).plus(DEFAULTS.grace()).plusSeconds(10));
        assertEquals(List.of(), driver.deadLetters());
        List<FeedbackOutcome> expired = driver.outcomes();
        assertEquals(List.of("r4"), expired.stream().map(FeedbackOutcome::getEventId).toList(),
                "paired ratings leave silently; the capped one is accounted for");
        assertEquals("UNPAIRED_EXPIRED", expired.get(0).getOutcome());
        assertEquals(Set.of(), driver.held().keySet());
    }

    @Test
    void theCapCountsAllKindsAndRestartsAfterPairRetention() {
        restartWith(PairingDriver.config().maxPairsPerKey(1).build());
        driver.send(correction("c1", "a dog", "a cat"), T0);
        driver.send(comparison("k1", "a cow", "a cat", true), T0.plusSeconds(1));
        assertEquals("PAIR_CAP_REACHED", driver.deadLetters().get(0).getReason());
        driver.send(comparison("k2", "a cow", "a cat", true), T0.plus(DEFAULTS.pairRetention()));
        assertEquals(2, driver.pairs().size());
        assertEquals(List.of(), driver.deadLetters());
    }

    @Test
    void eachKeyHasItsOwnCap() {
        restartWith(PairingDriver.config().maxPairsPerKey(1).build());
        driver.send(correction("c1", "a dog", "a cat"), T0);
        driver.send(correction("c2", "a dog", "a cat").prompt("Other prompt."), T0);
        driver.send(correction("c3", "a dog", "a cat").image(TestEvents.imageByUri("dog")), T0);
        assertEquals(3, driver.pairs().size());
    }

    @Test
    void createdAtIsTheCompletingRecordsTimestampForRatings() {
        Duration late = Duration.ofMinutes(3);
        driver.send(rating("a", 5).response("one"), T0);
        driver.send(rating("b", 1).response("two"), T0.plus(late));
        assertEquals(T0.plus(late), driver.pairs().get(0).getCreatedAt());
    }

    /** The trainer's staleness bound reads this: the oldest model version whose writing is in the pair. */
    @Test
    void aPairCarriesThePolicyVersionOfItsOldestModelWrittenResponse() {
        driver.send(correction("c", "a dog", "a cat").modelVersion(4), T0);
        driver.send(comparison("k", "a cow", "a cat", true).modelVersion(5), T0);
        // an older rating held, a newer one arriving; then a newer one held, an older one arriving
        driver.send(rating("held-old", 5).response("one").modelVersion(3), T0);
        driver.send(rating("new", 1).response("two").modelVersion(7), T0.plusSeconds(1));
        driver.send(rating("held-new", 5).response("three").modelVersion(9).image(TestEvents.imageByUri("dog")), T0);
        driver.send(rating("old", 1).response("four").modelVersion(2).image(TestEvents.imageByUri("dog")),
                T0.plusSeconds(1));

        List<PreferencePair> pairs = driver.pairs();
        assertEquals(List.of(List.of("c"), List.of("k"), List.of("held-old", "new"), List.of("held-new", "old")),
                pairs.stream().map(PreferencePair::getSourceEventIds).toList());
        assertEquals(List.of(4L, 5L, 3L, 2L), pairs.stream().map(PreferencePair::getPolicyVersion).toList());
    }
}
