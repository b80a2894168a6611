package io.tpostream.trainer.online;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import io.tpostream.schema.AvroSerde;
import io.tpostream.schema.ImageRef;
import io.tpostream.schema.PreferencePair;
import io.tpostream.schema.Sha256;
import io.tpostream.trainer.image.RgbImage;
import io.tpostream.trainer.model.ModelInstance;
import io.tpostream.trainer.model.TestModels;
import io.tpostream.trainer.testing.SceneFixtures;
import io.tpostream.trainer.tpo.Objective;
import io.tpostream.trainer.training.PreferenceConfig;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TrainingSessionTest {

    private static final String MODEL = "m";
    private static final TopicPartition P0 = new TopicPartition("pairs", 0);
    private static final AvroSerde<PreferencePair> SERDE = AvroSerde.of(PreferencePair.class);
    private static final PreferenceConfig CONFIG = PreferenceConfig.defaults(Objective.TPO);
    /** The version training continues from: any one will do where no staleness bound is set. */
    private static final long PARENT = 1;

    private static byte[] base;
    private static ModelInstance reference;

    @BeforeAll
    static void baseModel() throws IOException {
        base = SceneFixtures.baseCheckpoint(7);
        reference = ModelInstance.loadFrozen(base, "base", Device.cpu());
    }

    @AfterAll
    static void close() {
        reference.close();
    }

    private static List<PairRecord> batch(long from, int n) {
        List<PairRecord> out = new ArrayList<>();
        for (long i = from; i < from + n; i++) {
            out.add(new PairRecord(P0, i, SERDE.encode(SceneFixtures.pair(MODEL, 3, i))));
        }
        return out;
    }

    private static TrainingSession session(byte[] start) {
        return new TrainingSession(MODEL, CONFIG, StalenessBound.off(), reference, start, 1);
    }

    @Test
    void theSameBatchesFromTheSameCheckpointGiveTheSameBytes() {
        Map<String, String> state = Map.of("version", "1");
        byte[] first;
        try (TrainingSession s = session(base)) {
            assertTrue(s.train(batch(0, 4), PARENT).step().applied());
            s.train(batch(4, 4), PARENT);
            first = s.checkpoint(state);
        }
        try (TrainingSession s = session(base)) {
            s.train(batch(0, 4), PARENT);
            s.train(batch(4, 4), PARENT);
            assertEquals(Sha256.hex(first), Sha256.hex(s.checkpoint(state)));
        }
        assertNotEquals(Sha256.hex(base), Sha256.hex(first));
    }

    @Test
    void aLlavaCheckpointWithVisionLayersPastTheFeatureLayerTrainsAndResumes() throws IOException {
        // imported from Hugging Face, the checkpoint holds the last vision layer and post_layernorm, which the model
        // keeps aside instead of building; resuming from it once failed on those tensors
        byte[] llava;
        try (ModelInstance m = TestModels.llavaFixtureModel()) {
            assertFalse(m.unusedTensors().isEmpty());
            llava = m.checkpoint(Map.of(), Map.of()).toBytes();
        }
        try (ModelInstance frozen = ModelInstance.loadFrozen(llava, "llava", Device.cpu());
             TrainingSession s = new TrainingSession(MODEL, CONFIG, StalenessBound.off(), frozen, llava, 1)) {
            assertTrue(s.train(batch(0, 2), PARENT).step().applied());
            byte[] trained = s.checkpoint(Map.of());
            s.resetTo(trained, 2);
            assertEquals(Sha256.hex(trained), Sha256.hex(s.checkpoint(Map.of())), "reset to a checkpoint is exact");
        }
    }

    @Test
    void continuingInMemoryEqualsResumingFromTheCheckpoint() {
        byte[] middle;
        byte[] end;
        try (TrainingSession s = session(base)) {
            s.train(batch(0, 3), PARENT);
            middle = s.checkpoint(Map.of("v", "1"));
            s.train(batch(3, 3), PARENT);
            end = s.checkpoint(Map.of("v", "2"));
        }
        try (TrainingSession s = session(middle)) {
            assertEquals(1, s.steps());
            s.train(batch(3, 3), PARENT);
            assertEquals(Sha256.hex(end), Sha256.hex(s.checkpoint(Map.of("v", "2"))));
        }
    }

    @Test
    void resumedOptimizerStateOutlivesTheCheckpointItWasReadFrom() {
        byte[] trained;
        try (TrainingSession s = session(base)) {
            s.train(batch(0, 2), PARENT);
            trained = s.checkpoint(Map.of());
        }
        try (TrainingSession s = session(trained)) {
            // the checkpoint's tensors are freed by now; memory they used must not be the optimizer's
            for (int i = 0; i < 5; i++) {
                System.gc();
                java.nio.ByteBuffer scribble = java.nio.ByteBuffer.allocateDirect(1 << 16);
                while (scribble.hasRemaining()) {
                    scribble.put((byte) 0x7f);
                }
            }
            assertEquals(Sha256.hex(trained), Sha256.hex(s.checkpoint(Map.of())));
        }
    }

    @Test
    void aSessionTrainsTheSameOnAThreadOtherThanTheEnginesOwn() throws Exception {
        String here;
        try (TrainingSession s = session(base)) {
            s.train(batch(0, 3), PARENT);
            here = Sha256.hex(s.checkpoint(Map.of()));
        }
        java.util.concurrent.atomic.AtomicReference<Object> there = new java.util.concurrent.atomic.AtomicReference<>();
        Thread other = new Thread(() -> {
            try (TrainingSession s = session(base)) { // PyTorch's grad mode is on in a fresh thread
                s.train(batch(0, 3), PARENT);
                there.set(Sha256.hex(s.checkpoint(Map.of())));
            } catch (RuntimeException e) {
                there.set(e);
            }
        });
        other.start();
        other.join();
        assertEquals(here, there.get());
    }

    @Test
    void resetToDropsWhatWasTrainedSince() {
        try (TrainingSession s = session(base)) {
            s.train(batch(0, 2), PARENT);
            byte[] passed = s.checkpoint(Map.of());
            s.train(batch(2, 2), PARENT);
            s.resetTo(passed, 1);
            assertEquals(1, s.steps());
            assertEquals(Sha256.hex(passed), Sha256.hex(s.checkpoint(Map.of())));
        }
    }

    @Test
    void versionZeroStartsWithFreshOptimizerStateWhateverItsCheckpointHolds() {
        byte[] withMoments;
        try (TrainingSession s = session(base)) {
            s.train(batch(0, 2), PARENT);
            withMoments = s.checkpoint(Map.of());
        }
        try (TrainingSession asBase = new TrainingSession(MODEL, CONFIG, StalenessBound.off(), reference,
                withMoments, 0);
             TrainingSession asVersion = new TrainingSession(MODEL, CONFIG, StalenessBound.off(), reference,
                     withMoments, 5)) {
            assertEquals(0, asBase.steps());
            assertEquals(1, asVersion.steps());
        }
    }

    @Test
    void aBatchTrainsInCanonicalOrderWhateverOrderItArrivesIn() {
        List<PairRecord> ordered = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            ordered.add(new PairRecord(new TopicPartition("pairs", i % 2), i,
                    SERDE.encode(SceneFixtures.pair(MODEL, 3, i))));
        }
        List<PairRecord> shuffled = List.of(ordered.get(3), ordered.get(0), ordered.get(2), ordered.get(1));
        String a;
        try (TrainingSession s = session(base)) {
            s.train(ordered, PARENT);
            a = Sha256.hex(s.checkpoint(Map.of()));
        }
        try (TrainingSession s = session(base)) {
            s.train(shuffled, PARENT);
            assertEquals(a, Sha256.hex(s.checkpoint(Map.of())));
        }
    }

    /**
     * DJL frees the scalar of mul(Number)/div(Number) with a Java buffer while autograd still holds it for the
     * backward pass: a collection mid-step corrupted the gradient (NamedBlock.scalarLike). Every step under a
     * collecting thread must give the bytes of a quiet one, with and without the vision tower learning.
     */
    @Test
    void aStepIsBitIdenticalWhileTheGarbageCollectorRuns() throws InterruptedException {
        for (PreferenceConfig config : List.of(CONFIG, new PreferenceConfig(CONFIG.loss(), CONFIG.corruption(),
                CONFIG.learningRate(), CONFIG.optimizer(), true))) {
            String quiet;
            try (TrainingSession s = new TrainingSession(MODEL, config, StalenessBound.off(), reference, base, 0)) {
                s.train(batch(0, 4), PARENT);
                quiet = Sha256.hex(s.checkpoint(Map.of()));
            }
            java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
            Thread collector = new Thread(() -> {
                while (!stop.get()) {
                    System.gc(); // frees the buffers of dropped arrays...
                    java.nio.ByteBuffer scribble = java.nio.ByteBuffer.allocateDirect(1 << 12);
                    while (scribble.hasRemaining()) {
                        scribble.put((byte) 0x55); // ...and reuses their native memory with garbage
                    }
                }
            });
            collector.start();
            try {
                for (int i = 0; i < 3; i++) {
                    try (TrainingSession s = new TrainingSession(MODEL, config, StalenessBound.off(), reference,
                            base, 0)) {
                        s.train(batch(0, 4), PARENT);
                        assertEquals(quiet, Sha256.hex(s.checkpoint(Map.of())), "run " + i
                                + ", vision tower trained: " + config.trainVisionTower());
                    }
                }
            } finally {
                stop.set(true);
                collector.join();
            }
        }
    }

    @Test
    void otherModelsAreSkippedAndBrokenRecordsReported() {
        List<PairRecord> records = new ArrayList<>(batch(0, 2));
        records.add(new PairRecord(P0, 2, SERDE.encode(SceneFixtures.pair("other-model", 3, 2))));
        records.add(new PairRecord(P0, 3, new byte[] {1, 2, 3}));
        PreferencePair badImage = SceneFixtures.pair(MODEL, 3, 4);
        badImage.getImage().setSha256("0".repeat(64));
        records.add(new PairRecord(P0, 4, SERDE.encode(badImage)));
        try (TrainingSession s = session(base)) {
            TrainingSession.BatchResult r = s.train(records, PARENT);
            assertEquals(1, r.otherModels());
            assertEquals(2, r.unusable().size(), r.unusable().toString());
            assertTrue(r.unusable().get(P0 + "@3").startsWith("UNDECODABLE"), r.unusable().toString());
            assertTrue(r.unusable().get(badImage.getPairId()).startsWith("IMAGE_SHA_MISMATCH"), r.unusable().toString());
            assertEquals(records.get(3), r.records().get(P0 + "@3"), "the record behind each id, for its dead letter");
            assertEquals(records.get(4), r.records().get(badImage.getPairId()));
            assertNotNull(r.step());
            assertEquals(2, r.step().trained().size());
        }
    }

    @Test
    void pairsOfAPolicyTooFarBehindAreSkippedAndCountedApartFromOtherModels() {
        // trained from v5 with a bound of 2: v3 is the oldest policy still trained
        Long[] policyVersions = {5L, 3L, 2L, null, 0L};
        List<PairRecord> records = new ArrayList<>();
        List<String> fresh = new ArrayList<>();
        for (int i = 0; i < policyVersions.length; i++) {
            PreferencePair p = SceneFixtures.pair(MODEL, 3, i);
            p.setPolicyVersion(policyVersions[i]);
            records.add(new PairRecord(P0, i, SERDE.encode(p)));
            if (policyVersions[i] == null || policyVersions[i] >= 3) {
                fresh.add(p.getPairId());
            }
        }
        records.add(new PairRecord(P0, 5, SERDE.encode(SceneFixtures.pair("other-model", 3, 5))));
        try (TrainingSession s = new TrainingSession(MODEL, CONFIG, StalenessBound.of(2), reference, base, 5)) {
            TrainingSession.BatchResult r = s.train(records, 5);
            assertEquals(2, r.stale(), "v2's and v0's pairs");
            assertEquals(1, r.otherModels());
            assertEquals(Map.of(), r.unusable());
            assertEquals(fresh, r.step().trained(), "v5's, v3's and the pair of an unknown version");
            assertEquals(3, r.sourceTimes().size(), "only what this model trains counts for freshness");

            TrainingSession.BatchResult later = s.train(records.subList(1, 2), 6);
            assertEquals(1, later.stale(), "v3's pair is stale once training continues from v6");
            assertNull(later.step(), "nothing left to train");
        }
    }

    @Test
    void weightsTheStartCheckpointAlreadyHeldNonFiniteAreNotBlamedOnTraining() throws IOException {
        byte[] poisoned;
        long row;
        try (ModelInstance m = SceneFixtures.microSceneModel(7)) {
            NDArray embeddings = m.parameters().get("language_model.model.embed_tokens.weight");
            row = embeddings.getShape().get(1);
            embeddings.set(new NDIndex(m.tokenizer().id("purple")), Float.POSITIVE_INFINITY);
            poisoned = m.checkpoint(Map.of(), Map.of()).toBytes();
        }
        try (TrainingSession s = session(poisoned)) {
            assertEquals(row, s.nonFiniteWeights());
            TrainingSession.BatchResult trained = s.train(batch(0, 8), PARENT);
            assertTrue(trained.step().applied());
            assertEquals(row, s.nonFiniteWeights(), "the infinite row stays as it was, nothing else turns");
            assertFalse(s.trainingMadeWeightsNonFinite());
        }
    }

    @Test
    void aWeightThatTurnsNonFiniteAfterTheStartIsCaughtUntilTheNextReset() {
        try (TrainingSession s = session(base)) {
            assertEquals(0, s.nonFiniteWeights());
            s.policy().parameters().get("language_model.lm_head.weight").set(new NDIndex(0, 0), Float.NaN);
            assertTrue(s.trainingMadeWeightsNonFinite());
            s.resetTo(base, 1);
            assertFalse(s.trainingMadeWeightsNonFinite());
            assertEquals(0, s.nonFiniteWeights());
        }
    }

    @Test
    void aPairWithAThinMillionPixelImageTrainsLikeAnyOther() {
        // 1 x 1,000,000 pixels is within what the streams app lets through; scaling all of it to the model's size
        // took gigabytes and ended the trainer, again on every restart, as the pair was read again
        byte[] rgb = new byte[3_000_000];
        Arrays.fill(rgb, (byte) 90);
        byte[] png = new RgbImage(1, 1_000_000, rgb).encodePng();
        PreferencePair thin = SceneFixtures.pair(MODEL, 3, 0);
        thin.setImage(ImageRef.newBuilder(thin.getImage()).setBytes(ByteBuffer.wrap(png))
                .setSha256(Sha256.hex(png)).setWidth(1).setHeight(1_000_000).build());
        try (TrainingSession s = session(base)) {
            TrainingSession.BatchResult r = s.train(List.of(new PairRecord(P0, 0, SERDE.encode(thin))), PARENT);
            assertEquals(Map.of(), r.unusable());
            assertEquals(List.of(thin.getPairId()), r.step().trained());
        }
    }

    @Test
    void aPairLongerThanTheModelsContextIsQuarantinedAndTheOthersTrain() {
        int context = SceneFixtures.microSceneConfig().text().maxPositions();
        PreferencePair tooLong = SceneFixtures.pair(MODEL, 3, 0);
        tooLong.setRejected("a red circle . ".repeat(context));
        List<PairRecord> records = new ArrayList<>(batch(1, 3));
        records.add(0, new PairRecord(P0, 0, SERDE.encode(tooLong)));
        try (TrainingSession s = session(base)) {
            TrainingSession.BatchResult r = s.train(records, PARENT);
            assertEquals(List.of(tooLong.getPairId()), List.copyOf(r.unusable().keySet()));
            assertTrue(r.unusable().get(tooLong.getPairId()).startsWith("SEQUENCE_TOO_LONG: "),
                    r.unusable().toString());
            assertTrue(r.unusable().get(tooLong.getPairId()).endsWith("the model takes at most " + context));
            assertEquals(3, r.step().trained().size());
        }
    }
}
