package io.tpostream.trainer.online;

import io.tpostream.schema.OffsetWindow;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TrainingWindowTest {

    private static final TopicPartition P0 = new TopicPartition("pairs", 0);
    private static final TopicPartition P1 = new TopicPartition("pairs", 1);

    private static PairRecord r(TopicPartition tp, long offset) {
        return new PairRecord(tp, offset, new byte[0]);
    }

    @Test
    void aWindowSpansFromTheCommittedPositionToPastItsLastRecord() {
        TrainingWindow w = new TrainingWindow();
        w.startAt(P0, 4);   // the committed offset may be a transaction marker: the window starts there anyway
        w.startAt(P1, 0);
        w.addBatch(List.of(r(P0, 5), r(P0, 6), r(P1, 0)));
        w.addBatch(List.of(r(P0, 8)));
        assertEquals(List.of(new OffsetWindow("pairs", 0, 4L, 9L), new OffsetWindow("pairs", 1, 0L, 1L)),
                w.offsetWindows());
        assertEquals("0:2,1:1;0:1", w.batchPlan());
        assertEquals(4, w.records());
        assertEquals(9, w.commitOffsets().get(P0).offset());
        assertEquals(1, w.commitOffsets().get(P1).offset());
    }

    @Test
    void theNextWindowStartsWhereThisOneEndedAndPartitionsWithoutRecordsAreLeftOut() {
        TrainingWindow w = new TrainingWindow();
        w.startAt(P0, 0);
        w.startAt(P1, 3);
        w.addBatch(List.of(r(P0, 0), r(P0, 1)));
        assertEquals(List.of(new OffsetWindow("pairs", 0, 0L, 2L)), w.offsetWindows(), "P1 had nothing");
        assertEquals(Map.of(P0, 2L), Map.of(P0, w.commitOffsets().get(P0).offset()));
        TrainingWindow next = w.next();
        assertTrue(next.isEmpty());
        next.addBatch(List.of(r(P0, 3), r(P1, 3)));
        assertEquals(List.of(new OffsetWindow("pairs", 0, 2L, 4L), new OffsetWindow("pairs", 1, 3L, 4L)),
                next.offsetWindows());
    }

    @Test
    void metricsAreMeansOverStepsAndSkipNonFiniteValues() {
        TrainingWindow w = new TrainingWindow();
        w.addStep(Map.of("loss", 1.0, "grad_norm", Double.NaN), 3);
        w.addStep(Map.of("loss", 0.5, "grad_norm", 2.0), 2);
        assertEquals(0.75, w.meanMetrics().get("train/loss"));
        assertEquals(2.0, w.meanMetrics().get("train/grad_norm"));
        assertEquals(5, w.trainedPairs());
        assertEquals(2, w.steps());
    }

    @Test
    void theCountsKeepEachReasonForNotTrainingApartAndAddUpToTheRecords() {
        TrainingWindow w = new TrainingWindow();
        w.addBatch(List.of(r(P0, 0), r(P0, 1), r(P0, 2), r(P0, 3), r(P1, 0), r(P1, 1), r(P1, 2)));
        w.skipOtherModels(1);
        w.skipStale(2);
        w.quarantine("p-bad", "SEQUENCE_TOO_LONG: ...", r(P1, 2));
        w.addStep(Map.of("loss", 0.7), 3);
        Map<String, Double> counts = w.counts();
        assertEquals(Map.of("window/records", 7.0, "window/pairs_trained", 3.0, "window/pairs_other_models", 1.0,
                "window/pairs_stale", 2.0, "window/pairs_quarantined", 1.0), counts);
        assertEquals(counts.get("window/records"), counts.get("window/pairs_trained")
                + counts.get("window/pairs_other_models") + counts.get("window/pairs_stale")
                + counts.get("window/pairs_quarantined"));
    }
}
