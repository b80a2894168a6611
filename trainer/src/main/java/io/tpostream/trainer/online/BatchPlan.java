package io.tpostream.trainer.online;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How a window's records became training steps, as the {@code batchPlan} of a version record says it: batches
 * separated by ';', each a comma list of {@code partition:count}. Within a batch, records are taken partition by
 * partition (ascending) and, within a partition, in offset order; across batches each partition's records follow
 * on. Training always sees a batch in exactly that order (a batch's row order changes the float sums of a step),
 * so the plan and the window's records are enough to rebuild every step bit for bit.
 */
public final class BatchPlan {

    private static final Comparator<PairRecord> ORDER = Comparator
            .comparingInt((PairRecord r) -> r.partition().partition())
            .thenComparingLong(PairRecord::offset);

    private BatchPlan() {
    }

    /** The batch in the order training sees it: by partition, then by offset. */
    public static List<PairRecord> canonical(List<PairRecord> batch) {
        List<PairRecord> sorted = new ArrayList<>(batch);
        sorted.sort(ORDER);
        return sorted;
    }

    /** The plan entry of one batch, e.g. {@code 0:3,2:5}. */
    public static String describe(List<PairRecord> batch) {
        Map<Integer, Integer> counts = new LinkedHashMap<>();
        canonical(batch).forEach(r -> counts.merge(r.partition().partition(), 1, Integer::sum));
        StringBuilder entry = new StringBuilder();
        counts.forEach((p, c) -> entry.append(entry.length() == 0 ? "" : ",").append(p).append(':').append(c));
        return entry.toString();
    }

    /**
     * Splits a window's records into the batches of {@code plan}.
     *
     * @param records each partition's records of the window, in offset order
     * @throws IllegalArgumentException if the plan is malformed, asks for records the window lacks, or leaves
     *                                  records of the window unused
     */
    public static List<List<PairRecord>> rebuild(String plan, Map<Integer, List<PairRecord>> records) {
        Map<Integer, Integer> next = new LinkedHashMap<>();
        List<List<PairRecord>> batches = new ArrayList<>();
        if (!plan.isEmpty()) {
            for (String batchText : plan.split(";", -1)) {
                List<PairRecord> batch = new ArrayList<>();
                for (String part : batchText.split(",", -1)) {
                    String[] pc = part.split(":", -1);
                    int partition;
                    int count;
                    try {
                        partition = Integer.parseInt(pc[0]);
                        count = pc.length == 2 ? Integer.parseInt(pc[1]) : -1;
                    } catch (NumberFormatException e) {
                        count = -1;
                        partition = -1;
                    }
                    if (count <= 0) {
                        throw new IllegalArgumentException("malformed batch plan entry '" + part + "' in '" + plan + "'");
                    }
                    List<PairRecord> available = records.getOrDefault(partition, List.of());
                    int from = next.getOrDefault(partition, 0);
                    if (from + count > available.size()) {
                        throw new IllegalArgumentException("the batch plan takes " + (from + count)
                                + " records of partition " + partition + " but the window holds " + available.size());
                    }
                    batch.addAll(available.subList(from, from + count));
                    next.put(partition, from + count);
                }
                batches.add(canonical(batch));
            }
        }
        records.forEach((partition, list) -> {
            int used = next.getOrDefault(partition, 0);
            if (used < list.size()) {
                throw new IllegalArgumentException("the window holds " + list.size() + " records of partition "
                        + partition + " but the batch plan uses only " + used);
            }
        });
        return batches;
    }
}
