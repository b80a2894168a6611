package io.tpostream.ops.bench;

import io.tpostream.ops.bench.EndToEndBenchmark.MemorySample;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class MemoryTrendTest {

    private static final long MIB = 1024 * 1024;

    @Test
    void comparesTheMediansOfTheFirstAndLastQuarterAndReportsTheMaximum() {
        List<MemorySample> samples = new ArrayList<>();
        // RSS 1000 MiB for the first half with one spike, 1010 for the second; heap constant at 80 MiB
        for (int v = 1; v <= 12; v++) {
            long rssMib = v <= 6 ? 1000 : 1010;
            if (v == 2) {
                rssMib = 1200;
            }
            samples.add(new MemorySample(v, rssMib * 1024, 80 * MIB));
        }
        assertEquals("RSS 1000 -> 1010 MiB (max 1200), heap after GC 80 -> 80 MiB (max 80), first to last quarter "
                + "of v1..v12", MemoryTrend.describe(samples));
    }

    @Test
    void saysSoWhenThereIsNothingToCompareOrNoResidentSize() {
        assertEquals("no version published, no memory samples", MemoryTrend.describe(List.of()));
        assertEquals("RSS unknown (no /proc), heap after GC 50 -> 50 MiB (max 50), first to last quarter of v3..v3",
                MemoryTrend.describe(List.of(new MemorySample(3, -1, 50 * MIB))));
    }
}
