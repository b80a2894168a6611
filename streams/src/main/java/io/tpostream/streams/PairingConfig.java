package io.tpostream.streams;

import java.time.Duration;

/**
 * How feedback becomes preference pairs. All durations are measured in stream time (Kafka record timestamps),
 * never the wall clock, so replaying a topic gives the same pairs.
 *
 * @param ratingMin          lowest valid rating (inclusive)
 * @param ratingMax          highest valid rating (inclusive)
 * @param ratingGapThreshold two ratings of the same image and prompt pair when their scores differ by at least this
 * @param ratingWindow       two ratings pair only if their record timestamps are at most this far apart
 * @param grace              how long after a rating's window ends it is still held for late (out-of-order) ratings
 * @param dedupRetention     how long an accepted event id is remembered to refuse duplicates of it
 * @param pairRetention      how long an emitted pair id (and a key's pair count) is remembered
 * @param maxPairsPerKey     most pairs one (image, prompt) key may produce within pairRetention of its first pair
 * @param maxImageBytes      largest inline image accepted, in encoded bytes
 * @param maxImagePixels     largest inline image accepted, in width x height as declared by its header
 * @param maxTextChars       longest text field accepted (prompt, responses, ids, names), in chars
 * @param maxFutureSkew      how far occurredAt may lie after the record timestamp (producer clock skew)
 * @param maxAge             how far occurredAt may lie before the record timestamp (stale events)
 * @param generatorVersion   written into every pair, so pairs can be traced to the logic that made them
 * @param storeType          where task state lives; changelogged either way, so both survive a crash
 */
public record PairingConfig(
        double ratingMin,
        double ratingMax,
        double ratingGapThreshold,
        Duration ratingWindow,
        Duration grace,
        Duration dedupRetention,
        Duration pairRetention,
        int maxPairsPerKey,
        int maxImageBytes,
        long maxImagePixels,
        int maxTextChars,
        Duration maxFutureSkew,
        Duration maxAge,
        String generatorVersion,
        StoreType storeType) {

    /** Where the pairing state lives. */
    public enum StoreType {
        /** RocksDB on local disk: state larger than memory, and a restart reuses the local copy */
        ROCKSDB,
        /** heap only: fast to create (tests, benchmarks), but every restart restores the whole changelog */
        IN_MEMORY
    }

    public PairingConfig {
        require(Double.isFinite(ratingMin) && Double.isFinite(ratingMax) && ratingMin < ratingMax,
                "ratingMin (" + ratingMin + ") must be finite and below ratingMax (" + ratingMax + ")");
        require(Double.isFinite(ratingGapThreshold) && ratingGapThreshold > 0,
                "ratingGapThreshold (" + ratingGapThreshold + ") must be a positive number: ratings with equal"
                        + " scores say nothing about which response is better");
        require(ratingGapThreshold <= ratingMax - ratingMin,
                "ratingGapThreshold (" + ratingGapThreshold + ") exceeds the rating range " + ratingMin + ".."
                        + ratingMax + ": no two ratings could ever pair");
        positive("ratingWindow", ratingWindow);
        notNegative("grace", grace);
        positive("dedupRetention", dedupRetention);
        positive("pairRetention", pairRetention);
        require(maxPairsPerKey >= 1, "maxPairsPerKey (" + maxPairsPerKey + ") must be at least 1");
        require(maxImageBytes >= 1, "maxImageBytes (" + maxImageBytes + ") must be at least 1");
        require(maxImagePixels >= 1, "maxImagePixels (" + maxImagePixels + ") must be at least 1");
        require(maxTextChars >= 1, "maxTextChars (" + maxTextChars + ") must be at least 1");
        notNegative("maxFutureSkew", maxFutureSkew);
        positive("maxAge", maxAge);
        require(generatorVersion != null && !generatorVersion.isBlank(), "generatorVersion must not be blank");
        require(storeType != null, "storeType must be set");
        require(millis(dedupRetention) > millis(ratingWindow) + millis(grace),
                "dedupRetention (" + dedupRetention + ") must be longer than ratingWindow + grace ("
                        + ratingWindow.plus(grace) + "): a re-sent rating that is accepted again once its event id"
                        + " is forgotten must not find its own original still held");
        // held ratings expire at timestamp + window + grace, computed in millis
        require(millis(ratingWindow) <= Long.MAX_VALUE / 4 && millis(grace) <= Long.MAX_VALUE / 4,
                "ratingWindow and grace must each be below " + Duration.ofMillis(Long.MAX_VALUE / 4));
    }

    /** The documented defaults. */
    public static PairingConfig defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        return new Builder()
                .ratingRange(ratingMin, ratingMax)
                .ratingGapThreshold(ratingGapThreshold)
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
                .storeType(storeType);
    }

    /** How long after its record timestamp a rating stays held: window plus grace, in millis. */
    public long ratingHoldMillis() {
        return ratingWindow.toMillis() + grace.toMillis();
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException("PairingConfig: " + message);
        }
    }

    private static void positive(String name, Duration d) {
        require(d != null && !d.isNegative() && !d.isZero() && millis(d) > 0,
                name + " (" + d + ") must be at least 1 ms");
    }

    private static void notNegative(String name, Duration d) {
        require(d != null && !d.isNegative() && millis(d) >= 0, name + " (" + d + ") must not be negative");
    }

    /** Millis, or -1 for durations that do not fit a long (they fail validation with the caller's message). */
    private static long millis(Duration d) {
        try {
            return d.toMillis();
        } catch (ArithmeticException e) {
            return -1;
        }
    }

    /** Fluent builder, preset with the defaults. */
    public static final class Builder {
        private double ratingMin = 1;
        private double ratingMax = 5;
        private double ratingGapThreshold = 2.0;
        private Duration ratingWindow = Duration.ofMinutes(10);
        private Duration grace = Duration.ofMinutes(1);
        private Duration dedupRetention = Duration.ofHours(1);
        private Duration pairRetention = Duration.ofHours(24);
        private int maxPairsPerKey = 64;
        private int maxImageBytes = 4 << 20;
        private long maxImagePixels = 4096L * 4096L;
        private int maxTextChars = 4096;
        private Duration maxFutureSkew = Duration.ofHours(1);
        private Duration maxAge = Duration.ofDays(7);
        private String generatorVersion = "pairing-1";
        private StoreType storeType = StoreType.ROCKSDB;

        private Builder() {
        }

        public Builder ratingRange(double min, double max) {
            this.ratingMin = min;
            this.ratingMax = max;
            return this;
        }

        public Builder ratingGapThreshold(double v) {
            this.ratingGapThreshold = v;
            return this;
        }

        public Builder ratingWindow(Duration v) {
            this.ratingWindow = v;
            return this;
        }

        public Builder grace(Duration v) {
            this.grace = v;
            return this;
        }

        public Builder dedupRetention(Duration v) {
            this.dedupRetention = v;
            return this;
        }

        public Builder pairRetention(Duration v) {
            this.pairRetention = v;
            return this;
        }

        public Builder maxPairsPerKey(int v) {
            this.maxPairsPerKey = v;
            return this;
        }

        public Builder maxImageBytes(int v) {
            this.maxImageBytes = v;
            return this;
        }

        public Builder maxImagePixels(long v) {
            this.maxImagePixels = v;
            return this;
        }

        public Builder maxTextChars(int v) {
            this.maxTextChars = v;
            return this;
        }

        public Builder maxFutureSkew(Duration v) {
            this.maxFutureSkew = v;
            return this;
        }

        public Builder maxAge(Duration v) {
            this.maxAge = v;
            return this;
        }

        public Builder generatorVersion(String v) {
            this.generatorVersion = v;
            return this;
        }

        public Builder storeType(StoreType v) {
            this.storeType = v;
            return this;
        }

        public PairingConfig build() {
            return new PairingConfig(ratingMin, ratingMax, ratingGapThreshold, ratingWindow, grace, dedupRetention,
                    pairRetention, maxPairsPerKey, maxImageBytes, maxImagePixels, maxTextChars, maxFutureSkew, maxAge,
                    generatorVersion, storeType);
        }
    }
}
