package io.tpostream.ops.cli;

import io.tpostream.streams.PairingConfig;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.time.Duration;

/**
 * How feedback becomes pairs, as command-line options ({@code @Mixin PairingOptions pairing;}). Every default is
 * {@link PairingConfig#defaults()}'s ({@code PairingOptionsTest} checks that they agree); see
 * {@link PairingConfig} for what each setting means.
 */
public final class PairingOptions {

    @Spec(Spec.Target.MIXEE)
    CommandSpec command;

    @Option(names = "--rating-min", defaultValue = "1", paramLabel = "X", description = "Lowest valid rating.")
    double ratingMin;

    @Option(names = "--rating-max", defaultValue = "5", paramLabel = "X", description = "Highest valid rating.")
    double ratingMax;

    @Option(names = "--rating-gap", defaultValue = "2", paramLabel = "X",
            description = "Two ratings of the same image and prompt pair when their scores differ by at least this.")
    double ratingGap;

    @Option(names = "--rating-window", defaultValue = "10m", paramLabel = "DURATION",
            converter = DurationConverter.class,
            description = "Two ratings pair only if their record timestamps are at most this far apart.")
    Duration ratingWindow;

    @Option(names = "--grace", defaultValue = "1m", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "How long after its window a rating is still held for late partners.")
    Duration grace;

    @Option(names = "--dedup-retention", defaultValue = "1h", paramLabel = "DURATION",
            converter = DurationConverter.class,
            description = "How long an accepted event id is remembered to refuse its duplicates.")
    Duration dedupRetention;

    @Option(names = "--pair-retention", defaultValue = "1d", paramLabel = "DURATION",
            converter = DurationConverter.class,
            description = "How long an emitted pair id (and a key's pair count) is remembered.")
    Duration pairRetention;

    @Option(names = "--max-pairs-per-key", defaultValue = "64", paramLabel = "N",
            description = "Most pairs one image and prompt may produce within --pair-retention.")
    int maxPairsPerKey;

    @Option(names = "--max-image-bytes", defaultValue = "4194304", paramLabel = "BYTES",
            description = "Largest inline image accepted.")
    int maxImageBytes;

    @Option(names = "--max-image-pixels", defaultValue = "16777216", paramLabel = "N",
            description = "Largest inline image accepted, in width x height as its header declares.")
    long maxImagePixels;

    @Option(names = "--max-text-chars", defaultValue = "4096", paramLabel = "N",
            description = "Longest text field accepted (prompt, responses, ids, names).")
    int maxTextChars;

    @Option(names = "--max-future-skew", defaultValue = "1h", paramLabel = "DURATION",
            converter = DurationConverter.class,
            description = "How far occurredAt may lie after the record timestamp.")
    Duration maxFutureSkew;

    @Option(names = "--max-age", defaultValue = "7d", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "How far occurredAt may lie before the record timestamp.")
    Duration maxAge;

    @Option(names = "--generator-version", defaultValue = "pairing-1", paramLabel = "NAME",
            description = "Written into every pair, to trace pairs to the logic that made them.")
    String generatorVersion;

    @Option(names = "--store-type", defaultValue = "ROCKSDB", paramLabel = "TYPE",
            description = "Where the pairing state lives: ${COMPLETION-CANDIDATES} (both changelogged; "
                    + "IN_MEMORY restores everything on every start).")
    PairingConfig.StoreType storeType;

    /** @throws ParameterException (exit code 2) if the settings contradict each other */
    public PairingConfig config() {
        try {
            return PairingConfig.builder()
                    .ratingRange(ratingMin, ratingMax)
                    .ratingGapThreshold(ratingGap)
                    .ratingWindow(ratingWindow)
                    .grace(grace)
                    .dedupRetention(dedupRetention)
                    .pairRetention(pairRetention)
                    .maxPairsPerKey(maxPairsPerKey)
                    .maxImageBytes(maxImageBytes)
                    .maxImagePixels(maxImagePixels)
                    .maxTextChars(maxTextChars)
                    .maxFutureSkew(maxFutureSkew)
                    .maxAge(maxAge)
                    .generatorVersion(generatorVersion)
                    .storeType(storeType)
                    .build();
        } catch (IllegalArgumentException e) {
            throw new ParameterException(command.commandLine(), e.getMessage(), e);
        }
    }
}
