package io.tpostream.trainer.online;

import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BatchPlanTest {

    private static PairRecord r(int partition, long offset) {
        return new PairRecord(new TopicPartition("pairs", partition), offset, new byte[] {(byte) offset});
    }

    private static String ids(List<PairRecord> batch) {
        StringBuilder b = new StringBuilder();
        batch.forEach(x -> b.append(x.partition().partition()).append('@').append(x.offset()).append(' '));
        return b.toString().trim();
    }

    @Test
    void describesABatchByPartitionInAscendingOrder() {
        List<PairRecord> arrival = List.of(r(2, 7), r(0, 3), r(2, 5), r(0, 4), r(1, 9));
        assertEquals("0:2,1:1,2:2", BatchPlan.describe(arrival));
        assertEquals("0@3 0@4 1@9 2@5 2@7", ids(BatchPlan.canonical(arrival)));
    }

    @Test
    void rebuildsTheBatchesOfAWindowFromItsPlan() {
        // offsets with gaps, as transaction markers leave them
        Map<Integer, List<PairRecord>> window = Map.of(
                0, List.of(r(0, 10), r(0, 11), r(0, 13), r(0, 14)),
                1, List.of(r(1, 0), r(1, 2)));
        List<List<PairRecord>> batches = BatchPlan.rebuild("0:1,1:2;0:3", window);
        assertEquals(2, batches.size());
        assertEquals("0@10 1@0 1@2", ids(batches.get(0)));
        assertEquals("0@11 0@13 0@14", ids(batches.get(1)));
    }

    @Test
    void aPlanWrittenFromBatchesRebuildsThoseBatches() {
        List<List<PairRecord>> trained = List.of(
                List.of(r(1, 0), r(0, 0), r(1, 1)),
                List.of(r(0, 1), r(0, 2), r(1, 3)),
                List.of(r(1, 4)));
        List<String> entries = new ArrayList<>();
        trained.forEach(b -> entries.add(BatchPlan.describe(b)));
        Map<Integer, List<PairRecord>> window = Map.of(
                0, List.of(r(0, 0), r(0, 1), r(0, 2)),
                1, List.of(r(1, 0), r(1, 1), r(1, 3), r(1, 4)));
        List<List<PairRecord>> rebuilt = BatchPlan.rebuild(String.join(";", entries), window);
        for (int i = 0; i < trained.size(); i++) {
            assertEquals(ids(BatchPlan.canonical(trained.get(i))), ids(rebuilt.get(i)));
        }
    }

    @Test
    void anEmptyPlanFitsOnlyAnEmptyWindow() {
        assertTrue(BatchPlan.rebuild("", Map.of()).isEmpty());
        assertThrows(IllegalArgumentException.class, () -> BatchPlan.rebuild("", Map.of(0, List.of(r(0, 1)))));
    }

    @Test
    void refusesPlansThatDoNotFitTheWindow() {
        Map<Integer, List<PairRecord>> window = Map.of(0, List.of(r(0, 0), r(0, 1)));
        IllegalArgumentException tooMany = assertThrows(IllegalArgumentException.class,
                () -> BatchPlan.rebuild("0:3", window));
        assertTrue(tooMany.getMessage().contains("takes 3 records of partition 0 but the window holds 2"),
                tooMany.getMessage());
        IllegalArgumentException leftOver = assertThrows(IllegalArgumentException.class,
                () -> BatchPlan.rebuild("0:1", window));
        assertTrue(leftOver.getMessage().contains("uses only 1"), leftOver.getMessage());
        for (String bad : List.of("0", "0:0", "x:1", "0:1;", "0:1,,0:1")) {
            assertThrows(IllegalArgumentException.class, () -> BatchPlan.rebuild(bad, window), bad);
        }
    }
}
