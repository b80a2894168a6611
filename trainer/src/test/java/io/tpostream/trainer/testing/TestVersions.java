package io.tpostream.trainer.testing;

import io.tpostream.schema.Artifact;
import io.tpostream.schema.ModelVersion;
import io.tpostream.schema.OffsetWindow;
import io.tpostream.schema.VersionStatus;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Version records for tests that care about a few fields: every required field is set to a placeholder. */
public final class TestVersions {

    private TestVersions() {
    }

    /** Model "m", version {@code version} of parent {@code version - 1}, one small window; customise further. */
    public static ModelVersion.Builder builder(long version, VersionStatus status) {
        return ModelVersion.newBuilder().setModelName("m").setVersion(version).setParentVersion(version - 1)
                .setReferenceVersion(0).setArtifact(new Artifact("file:/a", "ab".repeat(32), 10L, "tpo-checkpoint-v1"))
                .setStatus(status).setTrainingWindow(List.of(new OffsetWindow("pairs", 0, 4L, 9L)))
                .setPairs(5).setSteps(1).setObjective("tpo").setHyperParameters(Map.of()).setSeed(0)
                .setMetrics(Map.of()).setCreatedAt(Instant.EPOCH);
    }
}
