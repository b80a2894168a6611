package io.tpostream.ops.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/** What became of each input line of {@code tpo produce}. Thread-safe: deliveries are reported by Kafka's I/O thread. */
final class ProduceTally {

    private static final int LINES_SHOWN = 20;

    private int sent;
    private final List<Integer> sentInvalid = new ArrayList<>();
    private final List<Integer> skipped = new ArrayList<>();
    private final List<Integer> failed = new ArrayList<>();

    synchronized void sent() {
        sent++;
    }

    /** A line sent although the pairing app will dead-letter it (--send-invalid); also counted when delivered. */
    synchronized void sentInvalid(int line) {
        sentInvalid.add(line);
    }

    synchronized void skipped(int line) {
        skipped.add(line);
    }

    synchronized void failed(int line) {
        failed.add(line);
    }

    synchronized boolean allSent() {
        return skipped.isEmpty() && failed.isEmpty();
    }

    /**
     * e.g. "sent 10, skipped 2 (lines 3, 7), failed 1 (line 9)"; with --send-invalid, "sent 11 (4 invalid, lines 8,
     * 9, 10, 11), skipped 0".
     */
    synchronized String summary() {
        StringBuilder s = new StringBuilder("sent ").append(sent);
        if (!sentInvalid.isEmpty()) {
            s.append(" (").append(sentInvalid.size()).append(" invalid, ").append(numbered(sentInvalid)).append(')');
        }
        s.append(", skipped ").append(skipped.size());
        s.append(lines(skipped));
        if (!failed.isEmpty()) {
            s.append(", failed ").append(failed.size()).append(lines(failed));
        }
        return s.toString();
    }

    private static String lines(List<Integer> numbers) {
        return numbers.isEmpty() ? "" : " (" + numbered(numbers) + ")";
    }

    /** e.g. "line 3", "lines 3, 7". */
    private static String numbered(List<Integer> numbers) {
        List<Integer> sorted = numbers.stream().sorted().toList();
        String shown = sorted.stream().limit(LINES_SHOWN).map(String::valueOf).collect(Collectors.joining(", "));
        String more = sorted.size() > LINES_SHOWN ? " and " + (sorted.size() - LINES_SHOWN) + " more" : "";
        return "line" + (sorted.size() == 1 ? " " : "s ") + shown + more;
    }
}
