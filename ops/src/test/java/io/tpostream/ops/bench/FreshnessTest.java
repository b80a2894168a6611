package io.tpostream.ops.bench;

import io.tpostream.schema.ModelVersion;
import io.tpostream.schema.OffsetWindow;
import io.tpostream.schema.VersionStatus;
import io.tpostream.trainer.testing.TestVersions;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class FreshnessTest {

    private static ModelVersion version(long n, VersionStatus status, long createdMillis, OffsetWindow... windows) {
        return TestVersions.builder(n, status).setTrainingWindow(List.of(windows))
                .setCreatedAt(Instant.ofEpochMilli(createdMillis)).build();
    }

    @Test
    void eachPairCountsFromItsFeedbackToTheFirstPassedVersionThatTrainedIt() {
        List<ModelVersion> versions = List.of(
                version(1, VersionStatus.PASSED, 10_000, new OffsetWindow("p", 0, 0L, 3L)),
                version(2, VersionStatus.REJECTED, 20_000, new OffsetWindow("p", 0, 3L, 5L)),
                version(3, VersionStatus.PASSED, 30_000, new OffsetWindow("p", 0, 5L, 8L), new OffsetWindow("p", 1, 0L, 2L)));
        List<Freshness.PairPosition> pairs = List.of(
                new Freshness.PairPosition("p", 0, 0, 4_000),
                new Freshness.PairPosition("p", 0, 2, 8_000),
                new Freshness.PairPosition("p", 0, 4, 15_000),   // trained into the REJECTED v2: never served
                new Freshness.PairPosition("p", 0, 6, 25_000),
                new Freshness.PairPosition("p", 1, 1, 27_000),
                new Freshness.PairPosition("p", 1, 5, 29_000));  // not trained yet

        Freshness.Result r = Freshness.compute(pairs, versions);

        assertEquals(List.of(2_000L, 3_000L, 5_000L, 6_000L), r.latenciesMillis());
        assertEquals(1, r.inRejectedWindows());
        assertEquals(1, r.notYetInAVersion());
        assertEquals(3.0, r.percentileSeconds(50));
        assertEquals(6.0, r.percentileSeconds(95));
    }
}
