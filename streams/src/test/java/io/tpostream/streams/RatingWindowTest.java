package io.tpostream.streams;

import io.tpostream.schema.FeedbackOutcome;
import io.tpostream.schema.PreferencePair;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;

import static io.tpostream.streams.TestEvents.T0;
import static io.tpostream.streams.TestEvents.correction;
import static io.tpostream.streams.TestEvents.rating;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The rating window in stream time. Two ratings pair if their record timestamps are at most ratingWindow apart;
 * a rating is held until stream time passes its timestamp + window + grace, so a late (out-of-order) partner
 * still finds it during the grace period.
 */
class RatingWindowTest {

    private static final Duration WINDOW = PairingConfig.defaults().ratingWindow();
    private static final Duration GRACE = PairingConfig.defaults().grace();
    private final PairingDriver driver = new PairingDriver();

    @AfterEach
    void close() {
        driver.close();
    }

    /** Moves stream time with a record of another image, which pairs at once and touches no rating. */
    private void advanceStreamTimeTo(Instant t) {
        driver.send(correction("clock-" + t.toEpochMilli(), "x", "y" + t.toEpochMilli())
                .image(TestEvents.imageByUri("clock")), t);
        assertEquals(1, driver.pairs().size());
    }

    @Test
    void aRatingExactlyAtTheWindowEndPairs() {
        driver.send(rating("a", 5).response("one"), T0);
        driver.send(rating("b", 1).response("two"), T0.plus(WINDOW));
        assertEquals(1, driver.pairs().size());
    }

    @Test
    void aRatingOneMillisecondAfterTheWindowEndDoesNotPairEvenWithinGrace() {
        driver.send(rating("a", 5).response("one"), T0);
        driver.send(rating("b", 1).response("two"), T0.plus(WINDOW).plusMillis(1));
        assertEquals(List.of(), driver.pairs());
        assertEquals(Set.of("a", "b"), driver.held().keySet(), "a is still held during its grace period");
    }

    @Test
    void aLateRatingArrivingWithinGracePairs() {
        driver.send(rating("a", 5).response("one"), T0);
        advanceStreamTimeTo(T0.plus(WINDOW).plus(GRACE)); // the last instant a is held
        driver.send(rating("b", 1).response("two"), T0.plusSeconds(30)); // out of order, inside a's window
        List<PreferencePair> pairs = driver.pairs();
        assertEquals(1, pairs.size());
        assertEquals(List.of("a", "b"), pairs.get(0).getSourceEventIds());
        assertEquals(List.of(), driver.deadLetters());
    }

    @Test
    void aLateRatingArrivingAfterGraceFindsNothingAndTheOldOneExpiresUnpaired() {
        driver.send(rating("a", 5).response("one"), T0);
        Instant afterGrace = T0.plus(WINDOW).plus(GRACE).plusMillis(1);
        advanceStreamTimeTo(afterGrace);
        assertEquals(List.of("UNPAIRED_EXPIRED"), driver.outcomeCodes(), "a, swept before the next record");
        driver.send(rating("b", 1).response("two"), T0.plusSeconds(30));
        assertEquals(List.of(), driver.pairs());
        assertEquals(Set.of("b"), driver.held().keySet(), "b's own window is still open: it is held");
    }

    @Test
    void anExpiredRatingIsRetiredWithAnOutcomeOnceStreamTimePassesItsWindowAndGrace() {
        driver.send(rating("a", 5).response("one"), T0);
        advanceStreamTimeTo(T0.plus(WINDOW).plus(GRACE));
        assertEquals(Set.of("a"), driver.held().keySet(), "held up to and including window + grace");
        assertEquals(List.of(), driver.outcomes());
        advanceStreamTimeTo(T0.plus(WINDOW).plus(GRACE).plusMillis(1));
        List<FeedbackOutcome> outcomes = driver.outcomes();
        assertEquals(List.of("UNPAIRED_EXPIRED"), outcomes.stream().map(FeedbackOutcome::getOutcome).toList());
        assertEquals(T0.plus(WINDOW).plus(GRACE).plusMillis(1), outcomes.get(0).getAt(),
                "stamped with the stream time that expired it, the first record past its window and grace");
        assertEquals(List.of(), driver.deadLetters(), "an unpaired rating is no bad input");
        assertEquals(Set.of(), driver.held().keySet());
    }

    @Test
    void aRatingWhoseOwnWindowClosedBeforeItArrivedIsUnpairedExpiredAtOnce() {
        advanceStreamTimeTo(T0.plus(Duration.ofHours(1)));
        driver.send(rating("late", 5).response("one"), T0);
        assertEquals(List.of("UNPAIRED_EXPIRED"), driver.outcomeCodes());
        assertEquals(List.of(), driver.deadLetters());
        assertEquals(Set.of(), driver.held().keySet());
    }

    @Test
    void aLateRatingThatStillPairsIsNotHeldAndNotDeadLettered() {
        driver.send(rating("a", 5).response("one"), T0.plus(WINDOW));
        advanceStreamTimeTo(T0.plus(WINDOW).plus(GRACE).plusSeconds(1));
        // b's own hold ended at T0 + window + grace, before now; a (timestamp exactly one window later) pairs
        driver.send(rating("b", 1).response("two"), T0);
        assertEquals(1, driver.pairs().size());
        assertEquals(List.of(), driver.deadLetters());
        assertEquals(List.of(), driver.outcomes());
        assertEquals(Set.of("a"), driver.held().keySet());
    }

    @Test
    void aPairedRatingLeavesSilentlyAtExpiry() {
        driver.send(rating("a", 5).response("one"), T0);
        driver.send(rating("b", 1).response("two"), T0.plusSeconds(1));
        assertEquals(1, driver.pairs().size());
        advanceStreamTimeTo(T0.plus(Duration.ofHours(1)));
        assertEquals(List.of(), driver.deadLetters());
        assertEquals(List.of(), driver.outcomes());
        assertEquals(Set.of(), driver.held().keySet());
    }
}
