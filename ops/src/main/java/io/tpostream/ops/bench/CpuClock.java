package io.tpostream.ops.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * CPU time spent since it was created, by the whole JVM, by the threads whose names contain a tag, and by kind of
 * thread. On a shared machine throughput depends on what else runs; CPU seconds per event do much less.
 */
final class CpuClock {

    private final String threadTag;
    private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    private final long processStart = processCpuNanos();
    private final Map<Long, Long> threadStart;

    CpuClock(String threadTag) {
        this.threadTag = threadTag;
        this.threadStart = threadCpu();
    }

    Duration process() {
        return Duration.ofNanos(processCpuNanos() - processStart);
    }

    /** CPU time of the tagged threads alive now, since this clock started (or since they started, if later). */
    Duration threads() {
        return byGroup().entrySet().stream().filter(e -> e.getKey().startsWith("app "))
                .map(Map.Entry::getValue).reduce(Duration.ZERO, Duration::plus);
    }

    /**
     * CPU time since this clock started by kind of thread, for the threads alive now: "app ..." for the tagged ones,
     * names with their numbers and ids blanked, e.g. "data-plane-kafka-request-handler-#".
     */
    Map<String, Duration> byGroup() {
        Map<String, Long> nanos = new TreeMap<>();
        Map<Long, String> names = new HashMap<>();
        for (ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
            if (info != null) {
                names.put(info.getThreadId(), info.getThreadName());
            }
        }
        threadCpu().forEach((id, cpu) -> {
            String name = names.get(id);
            if (name != null) {
                nanos.merge(group(name), cpu - threadStart.getOrDefault(id, 0L), Long::sum);
            }
        });
        Map<String, Duration> out = new TreeMap<>();
        nanos.forEach((k, v) -> out.put(k, Duration.ofNanos(v)));
        return out;
    }

    private String group(String threadName) {
        String plain = threadName.replaceAll("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", "#")
                .replaceAll("\\d+", "#");
        return threadName.contains(threadTag) ? "app " + plain : plain;
    }

    private Map<Long, Long> threadCpu() {
        Map<Long, Long> cpu = new HashMap<>();
        for (long id : threads.getAllThreadIds()) {
            long nanos = threads.getThreadCpuTime(id);
            if (nanos >= 0) {
                cpu.put(id, nanos);
            }
        }
        return cpu;
    }

    private static long processCpuNanos() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getProcessCpuTime();
        }
        return 0;
    }
}
