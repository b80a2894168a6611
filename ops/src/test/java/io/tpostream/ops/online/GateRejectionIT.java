package io.tpostream.ops.online;

import ai.djl.Device;
import io.tpostream.ops.broker.EmbeddedKafkaBroker;
import io.tpostream.ops.testing.Await;
import io.tpostream.ops.testing.OnlineTopics;
import io.tpostream.ops.testing.PairProducer;
import io.tpostream.ops.testing.RecordingSubscriber;
import io.tpostream.ops.testing.SharedBroker;
import io.tpostream.ops.testing.TestTrainer;
import io.tpostream.ops.testing.Versions;
import io.tpostream.schema.ModelVersion;
import io.tpostream.schema.PreferencePair;
import io.tpostream.schema.Topics;
import io.tpostream.schema.VersionStatus;
import io.tpostream.trainer.online.GateConfig;
import io.tpostream.trainer.online.ReplayAudit;
import io.tpostream.trainer.online.VersionHistory;
import io.tpostream.trainer.publish.LocalArtifactStore;
import io.tpostream.trainer.serving.ModelSubscriber;
import io.tpostream.trainer.serving.ServingModel;
import io.tpostream.trainer.testing.SceneFixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A gate that rejects everything: REJECTED versions keep a reason, never become a parent, and are never served,
 * neither by a subscriber that follows the model while they arrive nor by one that starts after them.
 */
@ExtendWith(SharedBroker.class)
class GateRejectionIT {

    private static final String MODEL = "scene-gated";

    @TempDir
    Path dir;

    @Test
    void rejectedVersionsAreRecordedWithAReasonTrainingGoesOnFromTheLastPassedAndNoSubscriberServesThem(
            EmbeddedKafkaBroker broker) throws Exception {
        String bootstrap = broker.bootstrapServers();
        Topics topics = OnlineTopics.create(bootstrap, "gate.", 2);
        Path base = SceneFixtures.writeBaseModel(dir.resolve("base.ckpt"), 2);
        Path artifacts = dir.resolve("artifacts");
        List<PairProducer.Sent> produced = new ArrayList<>();

        // a lenient gate first: what it publishes passes
        try (TestTrainer lenient = new TestTrainer.Settings(bootstrap, topics, MODEL, base, artifacts)
                .publishEverySteps(1).start()) {
            produced.addAll(PairProducer.commit(bootstrap, topics.pairs(), pairs(0, 4), 4));
            Versions.awaitCoverage(bootstrap, topics.modelVersions(), MODEL, produced, lenient::assertAlive);
        }
        long lastPassed = Versions.read(bootstrap, topics.modelVersions(), MODEL).size() - 1;

        // a serving application follows the model from here on, while the rejected candidates come
        List<Long> appliedLive = new CopyOnWriteArrayList<>();
        try (ServingModel liveServing = new ServingModel();
             ModelSubscriber live = subscriber(bootstrap, topics, artifacts, liveServing, appliedLive).start()) {
            Await.until("the live subscriber to apply v" + lastPassed, () -> appliedLive, a -> a.contains(lastPassed));

            // then a gate demanding that CHAIR_i fall by more than it possibly can (it is at most 1)
            GateConfig impossible = GateConfig.defaults().withProbeImages(4).withThresholds(-1.5, 1.0);
            try (TestTrainer strict = new TestTrainer.Settings(bootstrap, topics, MODEL, base, artifacts)
                    .publishEverySteps(1).gate(impossible).start()) {
                produced.addAll(PairProducer.commit(bootstrap, topics.pairs(), pairs(4, 12), 4));
                Versions.awaitCoverage(bootstrap, topics.modelVersions(), MODEL, produced, strict::assertAlive);
            }
            long lastRejected = Versions.read(bootstrap, topics.modelVersions(), MODEL).size() - 1;

            // lenient again: the next PASSED version comes after the rejected ones on the topic, so once the live
            // subscriber applies it, it has read (and skipped) every rejected one
            try (TestTrainer lenient = new TestTrainer.Settings(bootstrap, topics, MODEL, base, artifacts)
                    .publishEverySteps(1).start()) {
                produced.addAll(PairProducer.commit(bootstrap, topics.pairs(), pairs(12, 16), 4));
                Versions.awaitCoverage(bootstrap, topics.modelVersions(), MODEL, produced, lenient::assertAlive);
            }
            List<ModelVersion> versions = Versions.read(bootstrap, topics.modelVersions(), MODEL);
            long newest = versions.get(versions.size() - 1).getVersion();
            Await.until("the live subscriber to apply v" + newest, () -> appliedLive, a -> a.contains(newest));

            Versions.assertExactlyOnce(versions, produced);
            assertTrue(lastPassed >= 1 && lastRejected >= lastPassed + 2 && newest > lastRejected,
                    Versions.numbers(versions).toString());
            for (ModelVersion v : versions) {
                boolean strictGate = v.getVersion() > lastPassed && v.getVersion() <= lastRejected;
                assertEquals(strictGate ? VersionStatus.REJECTED : VersionStatus.PASSED, v.getStatus(),
                        "v" + v.getVersion());
                if (strictGate) {
                    assertNotNull(v.getStatusReason());
                    assertTrue(v.getStatusReason().startsWith("CHAIR_i rose from "), v.getStatusReason());
                    assertEquals(lastPassed, v.getParentVersion(), "v" + v.getVersion()
                            + " continues from the last PASSED");
                }
            }
            assertEquals(lastPassed, versions.get((int) lastRejected + 1).getParentVersion(),
                    "the first version after the rejected ones continues from the last PASSED, too");
            appliedLive.forEach(applied -> assertTrue(applied <= lastPassed || applied > lastRejected,
                    "the live subscriber applied the REJECTED v" + applied + ": " + appliedLive));

            // the last rejected version was trained from the last PASSED weights, not from a rejected version's: its
            // replay from there is bit-identical
            ReplayAudit audit = new ReplayAudit(Map.of("bootstrap.servers", bootstrap), topics.modelVersions(),
                    List.of(new LocalArtifactStore(artifacts)), Device.cpu(), Duration.ofSeconds(60));
            ReplayAudit.Result replayed = audit.audit(versions.get((int) lastRejected), new VersionHistory(versions));
            assertTrue(replayed.reproduced(), replayed.describe());

            // a subscriber that starts now serves the newest PASSED version, and nothing it skipped
            List<Long> applied = new CopyOnWriteArrayList<>();
            try (ServingModel serving = new ServingModel();
                 ModelSubscriber subscriber = subscriber(bootstrap, topics, artifacts, serving, applied).start()) {
                Await.until("the subscriber to catch up and apply", () -> subscriber.caughtUp() && !applied.isEmpty(),
                        ok -> ok);
                assertEquals(List.of(newest), applied, "the newest PASSED version, never a REJECTED one");
                assertEquals(newest, serving.version().orElseThrow().getVersion());
            }
        }
    }

    private static ModelSubscriber subscriber(String bootstrap, Topics topics, Path artifacts, ServingModel serving,
                                              List<Long> applied) throws IOException {
        return RecordingSubscriber.of(bootstrap, topics, MODEL, artifacts, serving, applied);
    }

    private static List<PreferencePair> pairs(int from, int to) {
        List<PreferencePair> out = new ArrayList<>();
        for (int i = from; i < to; i++) {
            out.add(SceneFixtures.pair(MODEL, 5, i));
        }
        return out;
    }
}
