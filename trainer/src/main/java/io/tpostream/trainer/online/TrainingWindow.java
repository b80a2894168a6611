package io.tpostream.trainer.online;

import io.tpostream.schema.OffsetWindow;
import io.tpostream.trainer.training.PairTrace;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the trainer consumed and did since the last published version: the offset range per partition, how the
 * records became steps (the batch plan a replay follows), the aggregated step metrics, the token traces, the
 * quarantined pairs and the counts of skipped ones. A version's record is made from one window.
 */
public final class TrainingWindow {

    private final Map<TopicPartition, long[]> ranges = new TreeMap<>(
            (a, b) -> a.topic().equals(b.topic()) ? Integer.compare(a.partition(), b.partition()) : a.topic().compareTo(b.topic()));
    private final List<String> batches = new ArrayList<>();
    private final Map<String, double[]> metricSums = new LinkedHashMap<>();
    private final List<PairTrace> traces = new ArrayList<>();
    private final Map<String, String> quarantined = new LinkedHashMap<>();
    private final Map<String, PairRecord> quarantinedRecords = new LinkedHashMap<>();
    private long records;
    private long trainedPairs;
    private long otherModels;
    private long stale;
    private long steps;
    private long earliestSourceMillis = Long.MAX_VALUE;
    private long latestSourceMillis = Long.MIN_VALUE;

    /** Starts the window of a partition where the committed position is (called as partitions are first seen). */
    public void startAt(TopicPartition partition, long position) {
        ranges.putIfAbsent(partition, new long[] {position, position});
    }

    /** Adds a consumed batch, whatever became of its records (trained, skipped or quarantined). */
    public void addBatch(List<PairRecord> batch) {
        for (PairRecord r : batch) {
            long[] range = ranges.computeIfAbsent(r.partition(), k -> new long[] {r.offset(), r.offset()});
            range[1] = Math.max(range[1], r.offset() + 1);
        }
        batches.add(BatchPlan.describe(batch));
        records += batch.size();
    }

    public void addStep(Map<String, Double> metrics, int trained) {
        steps++;
        trainedPairs += trained;
        metrics.forEach((k, v) -> {
            if (Double.isFinite(v)) {
                double[] sum = metricSums.computeIfAbsent(k, x -> new double[2]);
                sum[0] += v;
                sum[1]++;
            }
        });
    }

    public void addTraces(List<PairTrace> pairTraces) {
        traces.addAll(pairTraces);
    }

    /**
     * @param pairId its pair id, or {@code partition@offset} for a record that is not a pair
     * @param reason written {@code CODE: detail}
     * @param record what was consumed, for its dead letter
     */
    public void quarantine(String pairId, String reason, PairRecord record) {
        quarantined.put(pairId, reason);
        quarantinedRecords.put(pairId, record);
    }

    /** Counts pairs of other models, skipped. */
    public void skipOtherModels(int pairs) {
        otherModels += pairs;
    }

    /** Counts pairs of a policy too far behind the one trained ({@link StalenessBound}), skipped. */
    public void skipStale(int pairs) {
        stale += pairs;
    }

    /** Widens the span of source timestamps (feedback time) of the pairs in this window. */
    public void sawSourceTime(long millis) {
        earliestSourceMillis = Math.min(earliestSourceMillis, millis);
        latestSourceMillis = Math.max(latestSourceMillis, millis);
    }

    public boolean isEmpty() {
        return records == 0;
    }

    public long steps() {
        return steps;
    }

    public long records() {
        return records;
    }

    public long trainedPairs() {
        return trainedPairs;
    }

    public long otherModels() {
        return otherModels;
    }

    public long stale() {
        return stale;
    }

    /**
     * What became of the window's records, as a version's metrics say it: every record consumed is trained, skipped
     * (another model's, or stale) or quarantined.
     */
    public Map<String, Double> counts() {
        Map<String, Double> out = new LinkedHashMap<>();
        out.put("window/records", (double) records);
        out.put("window/pairs_trained", (double) trainedPairs);
        out.put("window/pairs_other_models", (double) otherModels);
        out.put("window/pairs_stale", (double) stale);
        out.put("window/pairs_quarantined", (double) quarantined.size());
        return out;
    }

    public Map<String, String> quarantined() {
        return quarantined;
    }

    /** The consumed record of a quarantined pair. */
    public PairRecord quarantinedRecord(String pairId) {
        return quarantinedRecords.get(pairId);
    }

    public List<PairTrace> traces() {
        return traces;
    }

    /** Mean of each step metric over the window's steps. */
    public Map<String, Double> meanMetrics() {
        Map<String, Double> out = new LinkedHashMap<>();
        metricSums.forEach((k, s) -> out.put("train/" + k, s[0] / s[1]));
        return out;
    }

    public String batchPlan() {
        return String.join(";", batches);
    }

    public List<OffsetWindow> offsetWindows() {
        List<OffsetWindow> out = new ArrayList<>();
        ranges.forEach((tp, r) -> {
            if (r[1] > r[0]) {
                out.add(new OffsetWindow(tp.topic(), tp.partition(), r[0], r[1]));
            }
        });
        return out;
    }

    /** The offsets to commit with the version: each partition's next record to read. */
    public Map<TopicPartition, OffsetAndMetadata> commitOffsets() {
        Map<TopicPartition, OffsetAndMetadata> out = new LinkedHashMap<>();
        ranges.forEach((tp, r) -> {
            if (r[1] > r[0]) {
                out.put(tp, new OffsetAndMetadata(r[1]));
            }
        });
        return out;
    }

    public long earliestSourceMillis() {
        return earliestSourceMillis;
    }

    public long latestSourceMillis() {
        return latestSourceMillis;
    }

    /** The next window continues where this one ended, partition by partition. */
    public TrainingWindow next() {
        TrainingWindow n = new TrainingWindow();
        ranges.forEach((tp, r) -> n.ranges.put(tp, new long[] {r[1], r[1]}));
        return n;
    }
}
