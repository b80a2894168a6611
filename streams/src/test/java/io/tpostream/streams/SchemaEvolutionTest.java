package io.tpostream.streams;

import io.tpostream.schema.FeedbackEvent;
import io.tpostream.schema.PreferencePair;
import io.tpostream.schema.Sha256;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.tpostream.streams.TestEvents.T0;
import static io.tpostream.streams.TestEvents.correction;
import static io.tpostream.streams.TestEvents.rating;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Events written by the first release (schema v1, before annotator, tenant and attributes) still pair. */
class SchemaEvolutionTest {

    private final PairingDriver driver = new PairingDriver();

    @AfterEach
    void close() {
        driver.close();
    }

    private void sendAsV1(FeedbackEvent e, java.time.Instant at) {
        driver.send(e.getImage().getSha256(), TestEvents.encodeWithV1Schema(e), at);
    }

    @Test
    void aV1CorrectionPairsWithTheNewFieldsAtTheirDefaults() {
        FeedbackEvent e = correction("old-1", "a dog", "a cat").build();
        sendAsV1(e, T0);
        List<PreferencePair> pairs = driver.pairs();
        assertEquals(1, pairs.size(), () -> "dead letters: " + driver.deadLetters());
        PreferencePair p = pairs.get(0);
        assertEquals(Sha256.pairId(e.getImage().getSha256(), e.getPrompt(), "a cat", "a dog"), p.getPairId());
        assertEquals("default", p.getTenant(), "tenant did not exist in v1: its default");
        assertEquals(List.of("old-1"), p.getSourceEventIds());
    }

    @Test
    void aV1RatingPairsWithACurrentOne() {
        driver.send(rating("new", 5).response("a cat"), T0);
        sendAsV1(rating("old", 1).response("a dog").build(), T0.plusSeconds(1));
        List<PreferencePair> pairs = driver.pairs();
        assertEquals(1, pairs.size(), () -> "dead letters: " + driver.deadLetters());
        assertEquals(List.of("new", "old"), pairs.get(0).getSourceEventIds());
        assertEquals("default", pairs.get(0).getTenant(), "the newer event (on a tie, the arriving v1 one)");
    }

    @Test
    void aV1RatingHeldAndExpiredUnpairedIsAnOutcomePointingAtItsOriginalRecord() {
        FeedbackEvent old = rating("old", 3).build();
        byte[] v1Bytes = TestEvents.encodeWithV1Schema(old);
        long offset = driver.send(old.getImage().getSha256(), v1Bytes, T0);
        driver.send(correction("x", "a", "b").image(TestEvents.imageByUri("dog")), T0.plusSeconds(3600));
        var outcomes = driver.outcomes();
        assertEquals(1, outcomes.size());
        assertEquals("UNPAIRED_EXPIRED", outcomes.get(0).getOutcome());
        assertEquals(offset, outcomes.get(0).getSourceOffset(), "the v1 bytes stay where they are, in the feedback");
        assertEquals(List.of(), driver.deadLetters());
    }
}
