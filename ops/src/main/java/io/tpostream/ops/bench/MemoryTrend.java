package io.tpostream.ops.bench;

import io.tpostream.ops.bench.EndToEndBenchmark.MemorySample;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.function.ToLongFunction;

/**
 * Whether memory grew over a run: the median of the first quarter of samples against the median of the last
 * quarter (medians, because one sample can catch the trainer mid-allocation), and the maximum.
 */
public final class MemoryTrend {

    private MemoryTrend() {
    }

    /** One line, e.g. "RSS 1010 -> 1012 MiB (max 1050), heap after GC 80 -> 81 MiB (max 85), v1..v40". */
    public static String describe(List<MemorySample> samples) {
        if (samples.isEmpty()) {
            return "no version published, no memory samples";
        }
        String rss = samples.get(0).residentKb() < 0 ? "RSS unknown (no /proc)"
                : "RSS " + trend(samples, s -> s.residentKb() * 1024);
        return String.format(Locale.ROOT, "%s, heap after GC %s, first to last quarter of v%d..v%d", rss,
                trend(samples, MemorySample::heapAfterGcBytes), samples.get(0).version(),
                samples.get(samples.size() - 1).version());
    }

    private static String trend(List<MemorySample> samples, ToLongFunction<MemorySample> bytes) {
        int quarter = Math.max(1, samples.size() / 4);
        long first = median(samples.subList(0, quarter), bytes);
        long last = median(samples.subList(samples.size() - quarter, samples.size()), bytes);
        long max = samples.stream().mapToLong(bytes).max().orElseThrow();
        return String.format(Locale.ROOT, "%d -> %d MiB (max %d)", mib(first), mib(last), mib(max));
    }

    static long median(List<MemorySample> samples, ToLongFunction<MemorySample> bytes) {
        List<Long> values = new ArrayList<>();
        samples.forEach(s -> values.add(bytes.applyAsLong(s)));
        Collections.sort(values);
        return values.get(values.size() / 2);
    }

    private static long mib(long bytes) {
        return Math.round(bytes / (1024.0 * 1024.0));
    }
}
