package io.tpostream.ops.online;

import ai.djl.Device;
import io.tpostream.ops.broker.EmbeddedKafkaBroker;
import io.tpostream.ops.testing.Cli;
import io.tpostream.ops.testing.OnlineTopics;
import io.tpostream.ops.testing.PairProducer;
import io.tpostream.ops.testing.SharedBroker;
import io.tpostream.ops.testing.TestTrainer;
import io.tpostream.ops.testing.TopicReader;
import io.tpostream.ops.testing.Versions;
import io.tpostream.schema.AvroSerde;
import io.tpostream.schema.ModelVersion;
import io.tpostream.schema.PreferencePair;
import io.tpostream.schema.Sha256;
import io.tpostream.schema.TokenRewardTrace;
import io.tpostream.schema.Topics;
import io.tpostream.schema.VersionStatus;
import io.tpostream.trainer.online.ReplayAudit;
import io.tpostream.trainer.online.VersionHistory;
import io.tpostream.trainer.publish.LocalArtifactStore;
import io.tpostream.trainer.publish.VersionSignature;
import io.tpostream.trainer.testing.SceneFixtures;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Pairs in, versions out, on the real broker: one trainer run over pairs written in transactions (one of them
 * aborted), then what the versions, the traces, the artifacts and a replay say about it.
 */
@ExtendWith(SharedBroker.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OnlineTrainingIT {

    private static final String MODEL = "scene-e2e";
    private static final String PREFIX = "e2e.";

    @TempDir
    static Path dir;

    private String bootstrap;
    private Topics topics;
    private KeyPair keys;
    private List<PairProducer.Sent> produced;
    private List<ModelVersion> versions;

    @BeforeAll
    void trainOnce(EmbeddedKafkaBroker broker) throws Exception {
        bootstrap = broker.bootstrapServers();
        topics = OnlineTopics.create(bootstrap, PREFIX, 2);
        Path base = SceneFixtures.writeBaseModel(dir.resolve("base.ckpt"), 1);
        keys = VersionSignature.generate();
        List<PreferencePair> pairs = new ArrayList<>();
        for (int i = 0; i < 22; i++) {
            pairs.add(SceneFixtures.pair(MODEL, 42, i));
        }
        produced = new ArrayList<>(PairProducer.commit(bootstrap, topics.pairs(), pairs.subList(0, 12), 5));
        PairProducer.abort(bootstrap, topics.pairs(), List.of(SceneFixtures.pair(MODEL, 43, 0),
                SceneFixtures.pair(MODEL, 43, 1), SceneFixtures.pair(MODEL, 43, 2)));
        try (TestTrainer trainer = new TestTrainer.Settings(bootstrap, topics, MODEL, base, dir.resolve("artifacts"))
                .signingKey(keys).start()) {
            // pairs that arrive while the trainer runs
            produced.addAll(PairProducer.commit(bootstrap, topics.pairs(), pairs.subList(12, 22), 4));
            versions = Versions.awaitCoverage(bootstrap, topics.modelVersions(), MODEL, produced, trainer::assertAlive);
        }
        versions = Versions.read(bootstrap, topics.modelVersions(), MODEL); // all of them, after the stop
    }

    @Test
    void versionZeroIsTheBaseAndEveryLaterVersionContinuesFromThePreviousPassedOne() throws IOException {
        ModelVersion v0 = versions.get(0);
        assertEquals(0, v0.getVersion());
        assertEquals(VersionStatus.PASSED, v0.getStatus());
        assertEquals(-1, v0.getParentVersion());
        assertEquals(Sha256.hex(Files.readAllBytes(dir.resolve("base.ckpt"))), v0.getArtifact().getSha256());
        assertTrue(versions.size() >= 3, "22 pairs in batches of 4, two steps a version: " + Versions.numbers(versions));
        for (int i = 1; i < versions.size(); i++) {
            ModelVersion v = versions.get(i);
            assertEquals(VersionStatus.PASSED, v.getStatus(), "the gate lets every finite candidate pass here");
            assertEquals(i - 1, v.getParentVersion());
            assertEquals(0, v.getReferenceVersion());
            assertEquals("tpo", v.getObjective());
            assertEquals("1", v.getHyperParameters().get("intra_op_threads"), "the test JVM runs one thread");
            assertTrue(v.getMetrics().containsKey("eval/chair_i") && v.getMetrics().containsKey("train/loss"),
                    v.getMetrics().toString());
            assertEquals(java.util.Optional.empty(), VersionSignature.verify(v, keys.getPublic()));
        }
    }

    @Test
    void theWindowsCoverEveryCommittedPairExactlyOnceAndTheBatchPlansTakeExactlyThem() {
        Versions.assertExactlyOnce(versions, produced);
        long trained = versions.stream().mapToLong(ModelVersion::getPairs).sum();
        assertEquals(produced.size(), trained, "every committed pair trained once; the aborted ones never");
        Versions.assertWindowsAccounted(versions);
        assertEquals(Map.of(), Versions.assertQuarantinedAreDeadLettered(bootstrap, topics, versions),
                "nothing quarantined, no dead letter");
        // the aborted transaction sits inside a window: offsets there are not all pairs
        long spanned = versions.stream().flatMap(v -> v.getTrainingWindow().stream())
                .mapToLong(w -> w.getUntilOffset() - w.getFromOffset()).sum();
        assertTrue(spanned > produced.size(), "markers and aborted records lie within the windows");
    }

    @Test
    void eachTrainedPairHasItsTokenTraceUnderTheVersionItWentInto() {
        AvroSerde<TokenRewardTrace> serde = AvroSerde.of(TokenRewardTrace.class);
        Map<Long, Set<String>> traced = new TreeMap<>();
        for (ConsumerRecord<byte[], byte[]> r : TopicReader.readAll(bootstrap, topics.tokenRewards())) {
            TokenRewardTrace t = serde.decode(r.value());
            assertEquals(t.getPairId(), new String(r.key(), java.nio.charset.StandardCharsets.UTF_8));
            assertFalse(t.getTokens().isEmpty());
            assertTrue(traced.computeIfAbsent(t.getModelVersion(), k -> new HashSet<>()).add(t.getPairId()),
                    "one trace per pair and version");
        }
        Map<String, Long> versionOfPair = new TreeMap<>();
        for (PairProducer.Sent s : produced) {
            versions.stream().filter(v -> Versions.contains(v, s)).forEach(v -> versionOfPair.put(s.pairId(), v.getVersion()));
        }
        Map<Long, Set<String>> expected = new TreeMap<>();
        versionOfPair.forEach((pair, version) -> expected.computeIfAbsent(version, k -> new HashSet<>()).add(pair));
        assertEquals(expected, traced);
    }

    @Test
    void everyVersionHasItsArtifact() {
        Versions.assertArtifacts(versions);
    }

    @Test
    void theReplayCommandReproducesAVersionBitForBit() {
        ModelVersion last = versions.get(versions.size() - 1);
        Cli.Result r = Cli.run("replay", "--bootstrap-servers", bootstrap, "--topic-prefix", PREFIX, "--model", MODEL,
                "--version", Long.toString(last.getVersion()), "--artifacts", dir.resolve("artifacts").toString());
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(r.out().startsWith("REPRODUCED " + MODEL + " v" + last.getVersion() + ": the replay hashes to the "
                + "recorded " + last.getArtifact().getSha256()), r.out());
    }

    @Test
    void aReplayAgainstAnotherArtifactOrOverAnotherWindowIsAMismatchNamingATensor() throws IOException {
        ReplayAudit audit = new ReplayAudit(Map.of("bootstrap.servers", bootstrap), topics.modelVersions(),
                List.of(new LocalArtifactStore(dir.resolve("artifacts"))), Device.cpu(), Duration.ofSeconds(60));
        VersionHistory history = new VersionHistory(versions);
        ModelVersion v1 = versions.get(1);
        ModelVersion v2 = versions.get(2);

        ReplayAudit.Result otherArtifact = audit.audit(ModelVersion.newBuilder(v1).setArtifact(v2.getArtifact()).build(),
                history);
        assertFalse(otherArtifact.reproduced());
        assertTrue(otherArtifact.difference().matches("weight \\S+ differs: .*"), otherArtifact.describe());
        assertTrue(otherArtifact.describe().startsWith("MISMATCH " + MODEL + " v1: recorded " + v2.getArtifact().getSha256()),
                otherArtifact.describe());

        // v1's parent and record, but v2's pairs
        ModelVersion shifted = ModelVersion.newBuilder(v1).setTrainingWindow(v2.getTrainingWindow())
                .setBatchPlan(v2.getBatchPlan()).build();
        ReplayAudit.Result otherWindow = audit.audit(shifted, history);
        assertFalse(otherWindow.reproduced());
        assertTrue(otherWindow.difference().startsWith("weight "), otherWindow.describe());
        assertNull(audit.audit(v1, history).difference(), "the unaltered record reproduces");
    }
}
