package io.tpostream.ops.cli;

import io.tpostream.streams.PairingConfig;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.concurrent.Callable;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PairingOptionsTest {

    @Command(name = "probe")
    static final class Probe implements Callable<Integer> {
        @Mixin
        PairingOptions pairing;
        PairingConfig config;

        @Override
        public Integer call() {
            config = pairing.config();
            return 0;
        }
    }

    private static Probe run(String... args) {
        Probe probe = new Probe();
        CommandLine cli = new CommandLine(probe);
        cli.setCaseInsensitiveEnumValuesAllowed(true);
        cli.setErr(new PrintWriter(new StringWriter()));
        assertEquals(0, cli.execute(args));
        return probe;
    }

    @Test
    void theDefaultsAreThePairingDefaults() {
        assertEquals(PairingConfig.defaults(), run().config);
    }

    @Test
    void everyOptionReachesTheConfig() {
        PairingConfig c = run("--rating-min", "0", "--rating-max", "10", "--rating-gap", "3", "--rating-window", "5m",
                "--grace", "30s", "--dedup-retention", "2h", "--pair-retention", "3d", "--max-pairs-per-key", "8",
                "--max-image-bytes", "1000", "--max-image-pixels", "4096", "--max-text-chars", "100",
                "--max-future-skew", "10m", "--max-age", "1d", "--generator-version", "g-2",
                "--store-type", "in_memory").config;
        PairingConfig expected = PairingConfig.builder().ratingRange(0, 10).ratingGapThreshold(3)
                .ratingWindow(Duration.ofMinutes(5)).grace(Duration.ofSeconds(30)).dedupRetention(Duration.ofHours(2))
                .pairRetention(Duration.ofDays(3)).maxPairsPerKey(8).maxImageBytes(1000).maxImagePixels(4096)
                .maxTextChars(100).maxFutureSkew(Duration.ofMinutes(10)).maxAge(Duration.ofDays(1))
                .generatorVersion("g-2")
                .storeType(PairingConfig.StoreType.IN_MEMORY).build();
        assertEquals(expected, c);
    }

    @Test
    void contradictorySettingsAreUsageErrors() {
        Probe probe = new Probe();
        CommandLine cli = new CommandLine(probe);
        StringWriter err = new StringWriter();
        cli.setErr(new PrintWriter(err));
        assertEquals(2, cli.execute("--rating-gap", "5"));
        assertTrue(err.toString().contains("ratingGapThreshold (5.0) exceeds the rating range"), err.toString());
    }
}
