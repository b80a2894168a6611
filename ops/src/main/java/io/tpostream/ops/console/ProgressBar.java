package io.tpostream.ops.console;

import io.tpostream.ops.bench.Progress;
import me.tongfei.progressbar.DelegatingProgressBarConsumer;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

import java.io.PrintWriter;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A one-line progress bar for long work, drawn by the progressbar library (me.tongfei:progressbar): redrawn in place
 * on a terminal, and as a plain line at most every few seconds when the output is a file or a pipe (so logs stay
 * readable). The label may change with every update (a live status line); it is shown after the bar.
 */
public final class ProgressBar {

    /** Wide enough for the demo's status line; used where no terminal says how wide it is. */
    private static final int LOG_LINE_WIDTH = 240;

    private final PrintWriter out;
    private final boolean terminal;
    private final String task;
    private me.tongfei.progressbar.ProgressBar bar;

    public ProgressBar(PrintWriter out) {
        this(out, System.console() != null);
    }

    public ProgressBar(PrintWriter out, boolean terminal) {
        this(out, terminal, "");
    }

    private ProgressBar(PrintWriter out, boolean terminal, String task) {
        this.out = out;
        this.terminal = terminal;
        this.task = task;
    }

    /** A bar of its own for each label, so that each step's elapsed time and estimate start at its beginning. */
    public static Progress perStep(PrintWriter out) {
        Map<String, ProgressBar> bars = new HashMap<>();
        boolean terminal = System.console() != null;
        return (label, done, total) -> bars.computeIfAbsent(label, l -> new ProgressBar(out, terminal, l))
                .update(label, done, total);
    }

    /** Shows {@code done} of {@code total} with a label; cheap to call often. Reaching the total ends the line. */
    public synchronized void update(String label, long done, long total) {
        if (bar == null) {
            bar = start(Math.max(total, 0));
        }
        bar.maxHint(Math.max(total, 0));
        if (!label.equals(task)) {
            bar.setExtraMessage(label);
        }
        bar.stepTo(Math.min(done, Math.max(total, 0)));
        if (done >= total) {
            bar.close(); // draws the final state
            if (terminal) {
                out.println();
                out.flush();
            }
            bar = null;
        }
    }

    private me.tongfei.progressbar.ProgressBar start(long total) {
        DelegatingProgressBarConsumer consumer = terminal
                ? new DelegatingProgressBarConsumer(line -> draw("\r" + line))
                : new DelegatingProgressBarConsumer(line -> draw(line + System.lineSeparator()), LOG_LINE_WIDTH);
        return new ProgressBarBuilder()
                .setTaskName(task)
                .setInitialMax(total)
                .setStyle(ProgressBarStyle.ASCII)
                .setUpdateIntervalMillis(terminal ? 100 : 5_000)
                .setConsumer(consumer)
                .build();
    }

    private void draw(String text) {
        synchronized (out) {
            out.print(text);
            out.flush();
        }
    }

    public static String duration(double seconds) {
        long s = Math.round(seconds);
        return s >= 60 ? String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60) : s + "s";
    }
}
