package io.tpostream.trainer.online;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import io.tpostream.schema.Artifact;
import io.tpostream.schema.AvroSerde;
import io.tpostream.schema.ModelVersion;
import io.tpostream.schema.PreferencePair;
import io.tpostream.schema.Sha256;
import io.tpostream.schema.VersionStatus;
import io.tpostream.trainer.model.Checkpoint;
import io.tpostream.trainer.model.ModelInstance;
import io.tpostream.trainer.testing.SceneFixtures;
import io.tpostream.trainer.tpo.Objective;
import io.tpostream.trainer.training.PreferenceConfig;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.LongFunction;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The replay's deterministic core against training done the way the online trainer does it, without Kafka. */
class ReplayAuditTest {

    private static final String MODEL = "replayed";
    private static final long SEED = 11;
    private static final AvroSerde<PreferencePair> SERDE = AvroSerde.of(PreferencePair.class);
    private static final PreferenceConfig CONFIG = PreferenceConfig.defaults(Objective.TPO);

    private static byte[] base;
    private static ModelInstance reference;

    @BeforeAll
    static void baseModel() throws IOException {
        base = SceneFixtures.baseCheckpoint(5);
        reference = ModelInstance.loadFrozen(base, "base", Device.cpu());
    }

    @AfterAll
    static void close() {
        reference.close();
    }

    /** A trained version: its record, its checkpoint, and the window's records per partition. */
    private record Trained(ModelVersion record, byte[] checkpoint, Map<Integer, List<PairRecord>> window) {
    }

    /** Trains batches that arrive interleaved over two partitions, as the online trainer would, and records it. */
    private static Trained train(TrainingSession session, long version, long parent, long firstIndex, int[] batchSizes) {
        return train(session, StalenessBound.off(), version, parent, firstIndex, batchSizes, index -> null);
    }

    /**
     * The same, for a session with a staleness bound, over pairs whose policy versions {@code policyVersion} gives
     * by pair index.
     */
    private static Trained train(TrainingSession session, StalenessBound bound, long version, long parent,
                                 long firstIndex, int[] batchSizes, LongFunction<Long> policyVersion) {
        TrainingWindow window = new TrainingWindow();
        Map<Integer, List<PairRecord>> byPartition = new TreeMap<>();
        long index = firstIndex;
        for (int size : batchSizes) {
            List<PairRecord> arrival = new ArrayList<>();
            for (int i = 0; i < size; i++, index++) {
                int partition = (int) (index % 2);
                PreferencePair pair = SceneFixtures.pair(MODEL, SEED, index);
                pair.setPolicyVersion(policyVersion.apply(index));
                PairRecord r = new PairRecord(new TopicPartition("pairs", partition), index * 2 + 1, SERDE.encode(pair));
                arrival.add(0, r); // newest first: the trainer must not depend on arrival order
                byPartition.computeIfAbsent(partition, p -> new ArrayList<>()).add(r);
            }
            List<PairRecord> batch = BatchPlan.canonical(arrival);
            TrainingSession.BatchResult result = session.train(batch, parent);
            window.addBatch(batch);
            window.skipStale(result.stale());
            window.addStep(result.step().metrics(), result.step().trained().size());
        }
        Map<String, String> hyper = new TreeMap<>(CONFIG.describe());
        hyper.put(StalenessBound.KEY, bound.describe());
        byte[] bytes = session.checkpoint(new CheckpointLabel(MODEL, version, parent, 0, SEED).toMap());
        ModelVersion record = ModelVersion.newBuilder()
                .setModelName(MODEL).setVersion(version).setParentVersion(parent).setReferenceVersion(0)
                .setArtifact(new Artifact("mem:" + version, Sha256.hex(bytes), (long) bytes.length, Checkpoint.FORMAT))
                .setStatus(VersionStatus.PASSED).setTrainingWindow(window.offsetWindows())
                .setBatchPlan(window.batchPlan()).setPairs(window.trainedPairs()).setSteps(window.steps())
                .setObjective(CONFIG.loss().objective().configName()).setHyperParameters(hyper)
                .setSeed(SEED).setMetrics(window.counts()).setCreatedAt(Instant.now()).build();
        return new Trained(record, bytes, byPartition);
    }

    @Test
    void retrainingAVersionFromItsParentAndWindowGivesTheRecordedBytes() {
        try (TrainingSession live = new TrainingSession(MODEL, CONFIG, StalenessBound.off(), reference, base, 0)) {
            Trained v1 = train(live, 1, 0, 0, new int[] {3, 4});
            Trained v2 = train(live, 2, 1, 7, new int[] {2, 2, 1}); // continues in memory, as the trainer does

            byte[] replay1 = ReplayAudit.retrain(v1.record(), base, 0, base, v1.window(), Device.cpu());
            assertEquals(v1.record().getArtifact().getSha256(), Sha256.hex(replay1));
            byte[] replay2 = ReplayAudit.retrain(v2.record(), v1.checkpoint(), 1, base, v2.window(), Device.cpu());
            assertEquals(v2.record().getArtifact().getSha256(), Sha256.hex(replay2));
        }
    }

    @Test
    void aVersionThatSkippedStalePairsReplaysBitForBitWithTheBoundItRecorded() {
        StalenessBound bound = StalenessBound.of(1);
        // continuing from v3: pairs of v0 and v1 are stale, those of v2, v3 and of no known version are trained
        LongFunction<Long> policyVersion = index -> index % 5 == 4 ? null : index % 4;
        try (TrainingSession live = new TrainingSession(MODEL, CONFIG, bound, reference, base, 3)) {
            Trained v4 = train(live, bound, 4, 3, 0, new int[] {4, 5}, policyVersion);
            assertEquals(4.0, v4.record().getMetrics().get("window/pairs_stale"), v4.record().getMetrics().toString());
            assertEquals(5L, v4.record().getPairs());
            assertEquals("1", v4.record().getHyperParameters().get(StalenessBound.KEY));

            byte[] replay = ReplayAudit.retrain(v4.record(), base, 3, base, v4.window(), Device.cpu());
            assertEquals(v4.record().getArtifact().getSha256(), Sha256.hex(replay));

            // the replay takes the bound from the record: without it, the stale pairs would have been trained
            Map<String, String> unbounded = new TreeMap<>(v4.record().getHyperParameters());
            unbounded.remove(StalenessBound.KEY);
            byte[] other = ReplayAudit.retrain(ModelVersion.newBuilder(v4.record()).setHyperParameters(unbounded)
                    .build(), base, 3, base, v4.window(), Device.cpu());
            assertNotEquals(v4.record().getArtifact().getSha256(), Sha256.hex(other));
        }
    }

    @Test
    void anotherBatchPlanOverTheSameWindowGivesOtherWeightsAndTheDiffNamesATensor() throws IOException {
        try (TrainingSession live = new TrainingSession(MODEL, CONFIG, StalenessBound.off(), reference, base, 0)) {
            Trained v1 = train(live, 1, 0, 0, new int[] {3, 4});
            ModelVersion altered = ModelVersion.newBuilder(v1.record()).setBatchPlan("0:2,1:2;0:2,1:1").build();
            assertNotEquals(v1.record().getBatchPlan(), altered.getBatchPlan());
            byte[] replay = ReplayAudit.retrain(altered, base, 0, base, v1.window(), Device.cpu());
            assertNotEquals(v1.record().getArtifact().getSha256(), Sha256.hex(replay));
            try (NDManager scratch = NDManager.newBaseManager(Device.cpu())) {
                Optional<String> diff = CheckpointDiff.firstDifference(
                        Checkpoint.read(new ByteArrayInputStream(v1.checkpoint()), scratch, "recorded"),
                        Checkpoint.read(new ByteArrayInputStream(replay), scratch, "replayed"));
                assertTrue(diff.isPresent());
                assertTrue(diff.get().matches("weight \\S+ differs: \\d+ of \\d+ elements, largest \\|difference\\| .*"),
                        diff.get());
            }
        }
    }

    @Test
    void theDiffOfEqualCheckpointsIsEmptyAndATrainerStateChangeIsNamed() throws IOException {
        try (NDManager scratch = NDManager.newBaseManager(Device.cpu())) {
            Checkpoint a = Checkpoint.read(new ByteArrayInputStream(base), scratch, "a");
            Checkpoint b = Checkpoint.read(new ByteArrayInputStream(base), scratch, "b");
            assertEquals(Optional.empty(), CheckpointDiff.firstDifference(a, b));
            Checkpoint relabelled = new Checkpoint(b.config(), b.tokenizerJson(), b.weights(), b.optimizerState(),
                    Map.of("version", "9"));
            assertTrue(CheckpointDiff.firstDifference(a, relabelled).orElseThrow().startsWith("trainer-state.json differs"));
        }
    }
}
