package io.tpostream.trainer.training;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * This process's memory, for the measurements that check a long run does not grow: the resident size covers
 * PyTorch's native tensors, which the Java heap does not see.
 */
public final class ProcessMemory {

    private ProcessMemory() {
    }

    /** A field of /proc/self/status in kB (VmRSS: resident now, VmHWM: peak resident); -1 off Linux. */
    public static long residentKb(String field) {
        Path status = Path.of("/proc/self/status");
        if (!Files.exists(status)) {
            return -1;
        }
        try {
            for (String line : Files.readAllLines(status)) {
                if (line.startsWith(field + ":")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
            return -1;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Heap in use right after a full collection, which this call asks for: what is really retained. */
    public static long heapAfterGcBytes() {
        System.gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
