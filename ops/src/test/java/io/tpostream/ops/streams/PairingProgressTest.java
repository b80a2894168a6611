package io.tpostream.ops.streams;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

class PairingProgressTest {

    @Test
    void aLineWithRateAndReasonsMostFrequentFirst() {
        Map<String, Long> before = Map.of("events-in", 100L, "pairs-out", 0L, "dead-letters", 0L, "held-ratings", 0L);
        Map<String, Long> now = Map.of("events-in", 1100L, "pairs-out", 40L, "dead-letters", 12L,
                "dead-letters.UNDECODABLE", 2L, "dead-letters.DUPLICATE_EVENT", 7L, "dead-letters.MISSING_PROMPT", 2L,
                "dead-letters.KEY_MISMATCH", 1L, "held-ratings", 9L);
        assertEquals("RUNNING up 1m05s | events in 1100 (+200/s) | pairs out 40 | dead letters 12 (DUPLICATE_EVENT 7, "
                        + "MISSING_PROMPT 2, UNDECODABLE 2, KEY_MISMATCH 1) | held ratings 9",
                PairingProgress.line("RUNNING", now, before, Duration.ofSeconds(5), Duration.ofSeconds(65)));
    }

    @Test
    void theFirstLineHasNoRate() {
        assertEquals("REBALANCING up 2s | events in 0 | pairs out 0 | dead letters 0 | held ratings 0",
                PairingProgress.line("REBALANCING", Map.of(), Map.of(), Duration.ZERO, Duration.ofSeconds(2)));
        assertEquals("2h00m05s", PairingProgress.duration(Duration.ofSeconds(7205)));
    }
}
