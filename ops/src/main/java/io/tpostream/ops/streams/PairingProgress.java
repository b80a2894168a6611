package io.tpostream.ops.streams;

import io.tpostream.streams.pairing.PairingMetrics;

import java.time.Duration;
import java.util.Comparator;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * One line about a running pairing app, from two {@link PairingMetrics#snapshot} maps taken some time apart. Pure.
 * <pre>RUNNING up 1m05s | events in 12345 (+2469/s) | pairs out 1234 | dead letters 56 (DUPLICATE_EVENT 40,
 * UNDECODABLE 16) | held ratings 78</pre>
 */
public final class PairingProgress {

    private static final String DEAD_LETTER_PREFIX = PairingMetrics.DEAD_LETTERS + ".";

    private PairingProgress() {
    }

    /**
     * @param state   the app's state, as Kafka Streams names it
     * @param now     the latest snapshot
     * @param before  an earlier snapshot, for the rate (empty map: no rate)
     * @param between time between the two snapshots
     * @param uptime  time since the app started
     */
    public static String line(String state, Map<String, Long> now, Map<String, Long> before, Duration between,
                              Duration uptime) {
        long in = now.getOrDefault(PairingMetrics.EVENTS_IN, 0L);
        StringBuilder b = new StringBuilder();
        b.append(state).append(" up ").append(duration(uptime));
        b.append(" | events in ").append(in);
        if (!before.isEmpty() && between.toMillis() > 0) {
            long delta = in - before.getOrDefault(PairingMetrics.EVENTS_IN, 0L);
            b.append(String.format(Locale.ROOT, " (+%.0f/s)", delta * 1000.0 / between.toMillis()));
        }
        b.append(" | pairs out ").append(now.getOrDefault(PairingMetrics.PAIRS_OUT, 0L));
        b.append(" | dead letters ").append(now.getOrDefault(PairingMetrics.DEAD_LETTERS, 0L));
        String reasons = deadLettersByReason(now);
        if (!reasons.isEmpty()) {
            b.append(" (").append(reasons).append(')');
        }
        long outcomes = now.getOrDefault(PairingMetrics.OUTCOMES, 0L);
        if (outcomes > 0) {
            b.append(" | outcomes ").append(outcomes).append(" (")
                    .append(byPrefix(now, PairingMetrics.OUTCOMES + ".")).append(')');
        }
        b.append(" | held ratings ").append(now.getOrDefault(PairingMetrics.HELD_RATINGS, 0L));
        return b.toString();
    }

    /** "REASON n, REASON n" with the most frequent first (ties by name), or "" if there are none. */
    public static String deadLettersByReason(Map<String, Long> snapshot) {
        return byPrefix(snapshot, DEAD_LETTER_PREFIX);
    }

    /** "CODE n, CODE n" for the counters named prefix + CODE, most frequent first (ties by name), or "". */
    public static String byPrefix(Map<String, Long> snapshot, String prefix) {
        return snapshot.entrySet().stream()
                .filter(e -> e.getKey().startsWith(prefix) && e.getValue() > 0)
                .sorted(Comparator.<Map.Entry<String, Long>>comparingLong(Map.Entry::getValue).reversed()
                        .thenComparing(Map.Entry::getKey))
                .map(e -> e.getKey().substring(prefix.length()) + " " + e.getValue())
                .collect(Collectors.joining(", "));
    }

    public static String duration(Duration d) {
        long s = d.toSeconds();
        if (s >= 3600) {
            return String.format(Locale.ROOT, "%dh%02dm%02ds", s / 3600, s / 60 % 60, s % 60);
        }
        return s >= 60 ? String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60) : s + "s";
    }
}
