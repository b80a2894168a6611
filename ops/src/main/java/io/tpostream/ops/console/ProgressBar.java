package io.tpostream.ops.console;

import io.tpostream.ops.bench.Progress;

import java.io.PrintWriter;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A one-line progress bar for long work: redrawn in place on a terminal, and as a plain line at most every few
 * seconds when the output is a file or a pipe (so logs stay readable).
 */
public final class ProgressBar {

    private static final int WIDTH = 30;

    private final PrintWriter out;
    private final boolean terminal;
    private final long started = System.nanoTime();
    private long lastDraw;
    private String lastLine = "";

    public ProgressBar(PrintWriter out) {
        this(out, System.console() != null);
    }

    public ProgressBar(PrintWriter out, boolean terminal) {
        this.out = out;
        this.terminal = terminal;
    }

    /** A bar of its own for each label, so that each step's elapsed time and estimate start at its beginning. */
    public static Progress perStep(PrintWriter out) {
        Map<String, ProgressBar> bars = new HashMap<>();
        return (label, done, total) -> bars.computeIfAbsent(label, l -> new ProgressBar(out)).update(label, done, total);
    }

    /** Shows {@code done} of {@code total} with a label; cheap to call often. */
    public void update(String label, long done, long total) {
        long now = System.nanoTime();
        boolean finished = done >= total;
        if (!finished && now - lastDraw < (terminal ? 100_000_000L : 5_000_000_000L)) {
            return;
        }
        lastDraw = now;
        double fraction = total <= 0 ? 1 : Math.min(1, (double) done / total);
        int filled = (int) Math.round(fraction * WIDTH);
        double elapsed = (now - started) / 1e9;
        String eta = fraction > 0 && !finished ? String.format(Locale.ROOT, " eta %s", duration(elapsed / fraction - elapsed)) : "";
        String line = String.format(Locale.ROOT, "%s [%s%s] %d/%d %3.0f%% %s%s", label, "#".repeat(filled),
                ".".repeat(WIDTH - filled), done, total, fraction * 100, duration(elapsed), eta);
        if (terminal) {
            out.print("\r" + line + " ".repeat(Math.max(0, lastLine.length() - line.length())));
            if (finished) {
                out.println();
            }
        } else {
            out.println(line);
        }
        lastLine = line;
        out.flush();
    }

    public static String duration(double seconds) {
        long s = Math.round(seconds);
        return s >= 60 ? String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60) : s + "s";
    }
}
