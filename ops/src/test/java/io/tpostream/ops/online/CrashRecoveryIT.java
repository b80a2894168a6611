package io.tpostream.ops.online;

import io.tpostream.ops.broker.EmbeddedKafkaBroker;
import io.tpostream.ops.testing.Await;
import io.tpostream.ops.testing.ChildTpo;
import io.tpostream.ops.testing.Cli;
import io.tpostream.ops.testing.OnlineTopics;
import io.tpostream.ops.testing.PairProducer;
import io.tpostream.ops.testing.SharedBroker;
import io.tpostream.ops.testing.Versions;
import io.tpostream.schema.ModelVersion;
import io.tpostream.schema.PreferencePair;
import io.tpostream.schema.Topics;
import io.tpostream.schema.VersionStatus;
import io.tpostream.trainer.online.CrashPoint;
import io.tpostream.trainer.testing.SceneFixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code tpo train} in its own JVM, killed by a real SIGKILL wherever it is, then halted (as SIGKILL would: no
 * shutdown hooks, no client closes) at each point of its publish cycle in turn, restarted each time, then run to the
 * end: no pair lost, none trained twice, no version repeated or skipped, every version with its artifact. The halt
 * points are {@link CrashPoint}s, so those crashes happen exactly where the test says.
 */
@ExtendWith(SharedBroker.class)
class CrashRecoveryIT {

    private static final String MODEL = "scene-crash";
    private static final String PREFIX = "crash.";

    @TempDir
    Path dir;

    @Test
    void killedAnywhereInItsCycleTheTrainerRestartsWithoutLosingOrRetrainingAPair(EmbeddedKafkaBroker broker)
            throws Exception {
        String bootstrap = broker.bootstrapServers();
        Topics topics = OnlineTopics.create(bootstrap, PREFIX, 2);
        Path base = SceneFixtures.writeBaseModel(dir.resolve("base.ckpt"), 3);
        Path artifacts = dir.resolve("artifacts");
        List<PreferencePair> pairs = new ArrayList<>();
        for (int i = 0; i < 64; i++) {
            pairs.add(SceneFixtures.pair(MODEL, 9, i));
        }
        List<PairProducer.Sent> produced = PairProducer.commit(bootstrap, topics.pairs(), pairs, 8);
        String[] train = {"train", "--bootstrap-servers", bootstrap, "--topic-prefix", PREFIX, "--model", MODEL,
                "--base", base.toString(), "--artifacts", artifacts.toString(), "--batch-size", "4",
                "--publish-every-steps", "2", "--publish-every-seconds", "3", "--gate", "off",
                "--gate-probe-images", "2", "--device", "cpu"};

        // a real SIGKILL, at whatever point the trainer has reached once v1 is out
        try (ChildTpo child = ChildTpo.start(List.of(), train)) {
            Await.until("v1 of the first trainer", () -> versionNumbers(bootstrap, topics),
                    numbers -> numbers.size() >= 2 || !child.alive());
            assertEquals(137, child.kill(), child.output());
        }
        int published = versionNumbers(bootstrap, topics).size();

        // mid-window: a version (steps 1 and 2) is published, the third step is trained, then the process dies
        crash("after-step@3", train);
        assertEquals(published + 1, versionNumbers(bootstrap, topics).size());

        // the checkpoint of the next version is stored, nothing is sent
        crash("after-artifact", train);
        assertEquals(published + 1, versionNumbers(bootstrap, topics).size());
        assertTrue(artifactFiles(artifacts) > published + 1, "the stored but unpublished checkpoint stays, harmless");

        // the next version, its traces and its offsets are in an open transaction, never committed
        crash("before-commit", train);
        assertEquals(published + 1, versionNumbers(bootstrap, topics).size(), "read_committed never sees the open one");

        // the next version is committed; the process dies before it does anything else
        crash("after-commit", train);
        assertEquals(published + 2, versionNumbers(bootstrap, topics).size());

        List<ModelVersion> versions;
        try (ChildTpo last = ChildTpo.start(List.of(), train)) {
            versions = Versions.awaitCoverage(bootstrap, topics.modelVersions(), MODEL, produced, () -> {
                if (!last.alive()) {
                    throw new AssertionError("the trainer ended early:\n" + last.output());
                }
            });
            // a JVM ended by SIGTERM exits 143 once its shutdown hooks are done; the trainer's hook closed it cleanly
            assertEquals(143, last.terminate(), last.output());
            assertTrue(last.output().contains("trainer stopped"), "SIGTERM is a clean stop:\n" + last.output());
            assertTrue(last.lines().stream().anyMatch(l -> l.matches("v\\d+ PASSED pairs=\\d+ steps=\\d+ loss=.*")),
                    "one progress line per version:\n" + last.output());
        }
        versions = Versions.read(bootstrap, topics.modelVersions(), MODEL);
        Versions.assertExactlyOnce(versions, produced);
        Versions.assertArtifacts(versions);
        for (ModelVersion v : versions.subList(1, versions.size())) {
            assertEquals(VersionStatus.PASSED, v.getStatus());
            assertEquals(v.getVersion() - 1, v.getParentVersion());
        }
        assertEquals(produced.size(), versions.stream().mapToLong(ModelVersion::getPairs).sum());

        // a version trained by a restarted process replays bit for bit in this one
        ModelVersion lastVersion = versions.get(versions.size() - 1);
        Cli.Result replay = Cli.run("replay", "--bootstrap-servers", bootstrap, "--topic-prefix", PREFIX, "--model",
                MODEL, "--version", Long.toString(lastVersion.getVersion()), "--artifacts", artifacts.toString());
        assertEquals(0, replay.exitCode(), replay.toString());
    }

    private static void crash(String point, String[] train) throws IOException, InterruptedException {
        try (ChildTpo child = ChildTpo.start(List.of(CrashPoint.PROPERTY + "=" + point), train)) {
            assertEquals(CrashPoint.HALT_STATUS, child.awaitExit(), child.output());
            assertTrue(child.output().contains("crash point " + point + " reached"), child.output());
        }
    }

    private static List<Long> versionNumbers(String bootstrap, Topics topics) {
        return Versions.numbers(Versions.read(bootstrap, topics.modelVersions(), MODEL));
    }

    private static long artifactFiles(Path artifacts) throws IOException {
        try (Stream<Path> files = Files.walk(artifacts)) {
            return files.filter(f -> f.toString().endsWith(".ckpt")).count();
        }
    }
}
