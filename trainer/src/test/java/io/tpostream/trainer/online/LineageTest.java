package io.tpostream.trainer.online;

import io.tpostream.schema.ModelVersion;
import io.tpostream.schema.VersionStatus;
import io.tpostream.trainer.testing.TestVersions;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.stream.LongStream;

import static org.junit.jupiter.api.Assertions.assertEquals;

class LineageTest {

    @Test
    void countsTheRejectionsSinceTheLastPassedVersion() {
        Lineage lineage = new Lineage(version(3, VersionStatus.PASSED), new byte[0], 5);
        assertEquals(2, lineage.rejectedInARow(), "v4 and v5 were rejected before a restart");
        lineage.published(version(6, VersionStatus.REJECTED), new byte[0]);
        assertEquals(3, lineage.rejectedInARow());
        lineage.published(version(7, VersionStatus.PASSED), new byte[0]);
        assertEquals(0, lineage.rejectedInARow());
    }

    @Test
    void warnsAtFiveTenTwentyFortyRejectionsInARow() {
        assertEquals(List.of(5L, 10L, 20L, 40L, 80L),
                LongStream.rangeClosed(0, 100).filter(Lineage::worthAWarning).boxed().toList());
    }

    private static ModelVersion version(long v, VersionStatus status) {
        return TestVersions.builder(v, status).build();
    }
}
