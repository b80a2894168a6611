package io.tpostream.trainer.online;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StalenessBoundTest {

    @Test
    void aPairIsStaleWhenItsPolicyIsMoreThanTheBoundBehindTheVersionTrainedFrom() {
        StalenessBound two = StalenessBound.of(2);
        assertFalse(two.isStale(5L, 5), "the parent's own pairs");
        assertFalse(two.isStale(3L, 5), "exactly two behind");
        assertTrue(two.isStale(2L, 5), "three behind");
        assertTrue(two.isStale(0L, 5), "the base's pairs, long after");
        assertFalse(two.isStale(7L, 5), "a policy newer than the parent is not behind it");
    }

    @Test
    void zeroTrainsOnlyPairsOfTheParentItself() {
        StalenessBound zero = StalenessBound.of(0);
        assertFalse(zero.isStale(4L, 4));
        assertTrue(zero.isStale(3L, 4));
    }

    @Test
    void anUnknownVersionIsNeverStaleAndOffNeverCallsAnythingStale() {
        assertFalse(StalenessBound.of(0).isStale(null, 100), "pairs written before they carried a version");
        assertFalse(StalenessBound.off().isStale(0L, Long.MAX_VALUE));
        assertFalse(StalenessBound.off().isStale(Long.MIN_VALUE, 5));
    }

    @Test
    void extremeVersionsDoNotOverflowIntoTheWrongAnswer() {
        assertTrue(StalenessBound.of(1).isStale(Long.MIN_VALUE, 5), "whatever a producer wrote: far behind");
        assertFalse(StalenessBound.of(Long.MAX_VALUE).isStale(Long.MIN_VALUE + 1, 0));
        assertFalse(StalenessBound.of(3).isStale(Long.MAX_VALUE, 5));
    }

    @Test
    void theRecordedTextReadsBackAsTheSameBound() {
        for (StalenessBound b : new StalenessBound[] {StalenessBound.off(), StalenessBound.of(0), StalenessBound.of(7)}) {
            assertEquals(b, StalenessBound.parse(b.describe()));
            assertEquals(b, StalenessBound.recordedIn(Map.of(StalenessBound.KEY, b.describe())));
        }
        assertEquals("off", StalenessBound.off().describe());
        assertEquals("7", StalenessBound.of(7).describe());
    }

    @Test
    void aVersionRecordedBeforeTheBoundExistedWasTrainedWithoutOne() {
        assertEquals(StalenessBound.off(), StalenessBound.recordedIn(Map.of("objective", "tpo")));
    }

    @Test
    void negativeOrMalformedBoundsAreRefusedWithTheirText() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> StalenessBound.of(-1)).getMessage()
                .contains("not -1"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> StalenessBound.parse("-3")).getMessage()
                .contains("not -3"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> StalenessBound.parse("two")).getMessage()
                .contains("not 'two'"));
        assertThrows(IllegalArgumentException.class, () -> StalenessBound.parse("OFF "));
    }
}
