package io.tpostream.ops.bench;

import io.tpostream.schema.ModelVersion;
import io.tpostream.schema.OffsetWindow;
import io.tpostream.schema.VersionStatus;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;

/**
 * How fresh the served model is: for every pair, the time from its feedback (the latest source event's
 * occurredAt) to the creation of the first PASSED version whose training window contains the pair's offset. Pure:
 * computed from the records alone.
 */
public final class Freshness {

    private Freshness() {
    }

    /** Where a pair sits on the pairs topic and when its feedback happened. */
    public record PairPosition(String topic, int partition, long offset, long feedbackMillis) {
    }

    /**
     * @param latenciesMillis   one per pair that reached a PASSED version, ascending
     * @param inRejectedWindows pairs trained into a REJECTED version: never served (training went back to the last
     *                          PASSED weights)
     * @param notYetInAVersion  pairs in no published window yet (still in the trainer)
     */
    public record Result(List<Long> latenciesMillis, int inRejectedWindows, int notYetInAVersion) {

        public double percentileSeconds(double p) {
            if (latenciesMillis.isEmpty()) {
                return Double.NaN;
            }
            int index = (int) Math.ceil(p / 100.0 * latenciesMillis.size()) - 1;
            return latenciesMillis.get(Math.max(0, Math.min(latenciesMillis.size() - 1, index))) / 1000.0;
        }
    }

    public static Result compute(List<PairPosition> pairs, List<ModelVersion> versions) {
        List<ModelVersion> byNumber = versions.stream().sorted(Comparator.comparingLong(ModelVersion::getVersion))
                .toList();
        List<Long> latencies = new ArrayList<>();
        int rejected = 0;
        int pending = 0;
        for (PairPosition p : pairs) {
            ModelVersion first = byNumber.stream().filter(v -> v.getStatus() == VersionStatus.PASSED && contains(v, p))
                    .findFirst().orElse(null);
            if (first != null) {
                latencies.add(first.getCreatedAt().toEpochMilli() - p.feedbackMillis());
            } else if (byNumber.stream().anyMatch(v -> contains(v, p))) {
                rejected++;
            } else {
                pending++;
            }
        }
        Collections.sort(latencies);
        return new Result(List.copyOf(latencies), rejected, pending);
    }

    private static boolean contains(ModelVersion v, PairPosition p) {
        for (OffsetWindow w : v.getTrainingWindow()) {
            if (w.getTopic().equals(p.topic()) && w.getPartition() == p.partition()
                    && p.offset() >= w.getFromOffset() && p.offset() < w.getUntilOffset()) {
                return true;
            }
        }
        return false;
    }
}
