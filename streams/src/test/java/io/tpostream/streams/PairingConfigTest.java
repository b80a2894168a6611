package io.tpostream.streams;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PairingConfigTest {

    @Test
    void theDefaultsAreTheDocumentedOnes() {
        PairingConfig c = PairingConfig.defaults();
        assertEquals(1.0, c.ratingMin());
        assertEquals(5.0, c.ratingMax());
        assertEquals(2.0, c.ratingGapThreshold());
        assertEquals(Duration.ofMinutes(10), c.ratingWindow());
        assertEquals(Duration.ofMinutes(1), c.grace());
        assertEquals(Duration.ofHours(1), c.dedupRetention());
        assertEquals(Duration.ofHours(24), c.pairRetention());
        assertEquals(64, c.maxPairsPerKey());
        assertEquals(4 * 1024 * 1024, c.maxImageBytes());
        assertEquals(4096L * 4096L, c.maxImagePixels());
        assertEquals(4096, c.maxTextChars());
        assertEquals(Duration.ofHours(1), c.maxFutureSkew());
        assertEquals(Duration.ofDays(7), c.maxAge());
        assertEquals("pairing-1", c.generatorVersion());
        assertEquals(PairingConfig.StoreType.ROCKSDB, c.storeType());
    }

    @Test
    void toBuilderRoundTrips() {
        PairingConfig c = PairingConfig.builder().maxPairsPerKey(3).grace(Duration.ZERO).generatorVersion("x").build();
        assertEquals(c, c.toBuilder().build());
    }

    @Test
    void invalidValuesAreRefusedWithAMessageNamingTheField() {
        assertRefused("ratingMin", PairingConfig.builder().ratingRange(5, 1));
        assertRefused("ratingMin", PairingConfig.builder().ratingRange(Double.NaN, 5));
        assertRefused("ratingGapThreshold", PairingConfig.builder().ratingGapThreshold(0));
        assertRefused("no two ratings could ever pair", PairingConfig.builder().ratingGapThreshold(4.5));
        assertRefused("ratingWindow", PairingConfig.builder().ratingWindow(Duration.ZERO));
        assertRefused("grace", PairingConfig.builder().grace(Duration.ofSeconds(-1)));
        assertRefused("pairRetention", PairingConfig.builder().pairRetention(null));
        assertRefused("maxPairsPerKey", PairingConfig.builder().maxPairsPerKey(0));
        assertRefused("maxImageBytes", PairingConfig.builder().maxImageBytes(0));
        assertRefused("maxImagePixels", PairingConfig.builder().maxImagePixels(0));
        assertRefused("maxTextChars", PairingConfig.builder().maxTextChars(0));
        assertRefused("maxAge", PairingConfig.builder().maxAge(Duration.ofNanos(10)));
        assertRefused("generatorVersion", PairingConfig.builder().generatorVersion(" "));
        assertRefused("storeType", PairingConfig.builder().storeType(null));
        assertRefused("dedupRetention", PairingConfig.builder().dedupRetention(Duration.ofMinutes(11)));
        assertRefused("ratingWindow", PairingConfig.builder().ratingWindow(Duration.ofSeconds(Long.MAX_VALUE)));
    }

    private static void assertRefused(String expectedInMessage, PairingConfig.Builder builder) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, builder::build);
        assertTrue(e.getMessage().contains(expectedInMessage), e.getMessage());
    }
}
