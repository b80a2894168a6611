package io.tpostream.ops.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine.TypeConversionException;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DurationConverterTest {

    @Test
    void shortFormsAndIso() {
        assertEquals(Duration.ofMillis(250), DurationConverter.parse("250ms"));
        assertEquals(Duration.ofSeconds(90), DurationConverter.parse("90s"));
        assertEquals(Duration.ofMinutes(10), DurationConverter.parse(" 10M "));
        assertEquals(Duration.ofHours(1), DurationConverter.parse("1h"));
        assertEquals(Duration.ofDays(7), DurationConverter.parse("7d"));
        assertEquals(Duration.ofMinutes(10), DurationConverter.parse("PT10M"));
        assertEquals(Duration.ZERO, DurationConverter.parse("0s"));
    }

    @Test
    void anythingElseIsRefusedWithTheFormsThatWork() {
        for (String bad : new String[] {"", "10", "1.5h", "-1s", "10 m", "ten minutes", "P", "99999999999999999999d"}) {
            TypeConversionException e = assertThrows(TypeConversionException.class, () -> DurationConverter.parse(bad),
                    bad);
            assertTrue(e.getMessage().contains("e.g. 250ms, 90s, 10m, 1h, 7d"), e.getMessage());
        }
    }

    @Test
    void formatPicksTheLargestExactUnitAndRoundTrips() {
        assertEquals("10m", DurationConverter.format(Duration.ofMinutes(10)));
        assertEquals("90s", DurationConverter.format(Duration.ofSeconds(90)));
        assertEquals("1d", DurationConverter.format(Duration.ofHours(24)));
        assertEquals("25h", DurationConverter.format(Duration.ofHours(25)));
        assertEquals("1500ms", DurationConverter.format(Duration.ofMillis(1500)));
        assertEquals("0s", DurationConverter.format(Duration.ZERO));
        for (long ms : new long[] {1, 999, 1000, 61_000, 3_600_000, 86_400_001}) {
            assertEquals(Duration.ofMillis(ms), DurationConverter.parse(DurationConverter.format(Duration.ofMillis(ms))));
        }
    }
}
