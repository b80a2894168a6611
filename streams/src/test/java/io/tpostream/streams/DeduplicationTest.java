package io.tpostream.streams;

import io.tpostream.schema.DeadLetter;
import io.tpostream.schema.FeedbackEvent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static io.tpostream.streams.TestEvents.T0;
import static io.tpostream.streams.TestEvents.correction;
import static io.tpostream.streams.TestEvents.rating;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * De-duplication by event id within dedupRetention of stream time. Documented behaviour: once the retention has
 * passed, the id is forgotten and a copy is accepted again (bounded state is worth more than catching copies
 * re-sent hours later; the pair-id check still refuses the same correction or comparison within pairRetention).
 */
class DeduplicationTest {

    private static final Duration RETENTION = PairingConfig.defaults().dedupRetention();
    private final PairingDriver driver = new PairingDriver();

    @AfterEach
    void close() {
        driver.close();
    }

    private List<String> reasons() {
        return driver.deadLetters().stream().map(DeadLetter::getReason).toList();
    }

    @Test
    void aCopyWithinRetentionIsRefusedUpToItsLastMillisecond() {
        FeedbackEvent e = correction("c1", "a dog", "a cat").build();
        driver.send(e, T0);
        driver.send(e, T0.plus(RETENTION).minusMillis(1));
        assertEquals(List.of("DUPLICATE_EVENT"), reasons());
    }

    @Test
    void aCopyArrivingOnceRetentionHasPassedIsAcceptedAgain() {
        FeedbackEvent e = correction("c1", "a dog", "a cat").build();
        driver.send(e, T0);
        assertEquals(1, driver.pairs().size());
        driver.send(e, T0.plus(RETENTION));
        assertEquals(List.of(), reasons());
        assertEquals(List.of("DUPLICATE_PAIR"), driver.outcomeCodes(),
                "accepted as an event, but its pair is remembered longer");
    }

    @Test
    void theIdIsCheckedAcrossKindsAndContent() {
        driver.send(rating("same-id", 4), T0);
        driver.send(correction("same-id", "a dog", "a cat"), T0.plusSeconds(1));
        assertEquals(List.of("DUPLICATE_EVENT"), reasons());
        assertEquals(List.of(), driver.pairs());
    }

    @Test
    void anOutOfOrderCopyWithAnOlderTimestampIsStillADuplicate() {
        driver.send(rating("r1", 4), T0.plusSeconds(60));
        driver.send(rating("r1", 4), T0);
        assertEquals(List.of("DUPLICATE_EVENT"), reasons());
    }

    @Test
    void anInvalidRecordDoesNotUseUpItsEventId() {
        driver.send(correction("c1", "a dog", null), T0);
        assertEquals(List.of("MISSING_CORRECTION"), reasons());
        driver.send(correction("c1", "a dog", "a cat"), T0.plusSeconds(1));
        assertEquals(1, driver.pairs().size(), "the producer's fixed resend is accepted");
        assertEquals(List.of(), reasons());
    }

    @Test
    void aRatingAcceptedAgainAfterRetentionDoesNotMeetItsOwnOriginal() {
        driver.send(rating("r1", 4).response("a cat"), T0);
        driver.send(rating("r1", 4).response("a cat"), T0.plus(RETENTION));
        // retention > window + grace (enforced by PairingConfig), so the original had expired: one outcome for
        // it, and the copy is held on its own
        assertEquals(List.of(), reasons());
        assertEquals(List.of("UNPAIRED_EXPIRED"), driver.outcomeCodes());
        assertEquals(List.of("r1"), List.copyOf(driver.held().keySet()));
    }

    /**
     * Event ids and pair ids are remembered in time slots a retention wide (see RecentIds): the retention must be
     * exact to the millisecond wherever in its slot an id was seen, in RocksDB as on the heap.
     */
    @ParameterizedTest
    @EnumSource(PairingConfig.StoreType.class)
    void retentionIsExactWhereverInItsTimeSlotAnIdWasSeen(PairingConfig.StoreType type) {
        long slot = RETENTION.toMillis();
        Duration pairRetention = PairingConfig.defaults().pairRetention();
        long firstSlot = T0.toEpochMilli() - Math.floorMod(T0.toEpochMilli(), slot);
        try (PairingDriver d = new PairingDriver(PairingDriver.config().storeType(type).build())) {
            long[] offsets = {0, 1, slot / 3, slot / 2, slot - 1};
            for (int i = 0; i < offsets.length; i++) {
                // each round far after the last, so that stream time only moves forward
                Instant seen = Instant.ofEpochMilli(firstSlot + i * 3 * pairRetention.toMillis() + offsets[i]);
                FeedbackEvent e = correction("c" + i, "a dog", "a cat").image(TestEvents.imageByUri("img" + i))
                        .occurredAt(seen).build();
                d.send(e, seen);
                d.send(e, seen.plus(RETENTION).minusMillis(1));
                d.send(e, seen.plus(RETENTION));
                FeedbackEvent again = correction("c" + i + "-again", "a dog", "a cat")
                        .image(TestEvents.imageByUri("img" + i)).occurredAt(seen).build();
                d.send(again, seen.plus(pairRetention).minusMillis(1));
                d.send(FeedbackEvent.newBuilder(again).setEventId("c" + i + "-later").build(), seen.plus(pairRetention));
                assertEquals(List.of("DUPLICATE_EVENT"),
                        d.deadLetters().stream().map(DeadLetter::getReason).toList(), "offset " + offsets[i]);
                assertEquals(List.of("DUPLICATE_PAIR", "DUPLICATE_PAIR"), d.outcomeCodes(), "offset " + offsets[i]);
                assertEquals(2, d.pairs().size(), "the first and the one after pairRetention, offset " + offsets[i]);
            }
        }
    }
}
