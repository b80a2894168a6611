package io.tpostream.ops.online;

import ai.djl.ndarray.index.NDIndex;
import io.tpostream.ops.broker.EmbeddedKafkaBroker;
import io.tpostream.ops.testing.Await;
import io.tpostream.ops.testing.OnlineTopics;
import io.tpostream.ops.testing.PairProducer;
import io.tpostream.ops.testing.RecordingSubscriber;
import io.tpostream.ops.testing.SharedBroker;
import io.tpostream.ops.testing.TestTrainer;
import io.tpostream.ops.testing.Versions;
import io.tpostream.schema.DeadLetter;
import io.tpostream.schema.ModelVersion;
import io.tpostream.schema.PreferencePair;
import io.tpostream.schema.Topics;
import io.tpostream.schema.VersionStatus;
import io.tpostream.trainer.model.ModelInstance;
import io.tpostream.trainer.model.TextTokenizer;
import io.tpostream.trainer.serving.ModelSubscriber;
import io.tpostream.trainer.serving.ServingModel;
import io.tpostream.trainer.testing.SceneFixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Pairs whose loss cannot be finite, end to end: the base checkpoint carries one infinite embedding row (the word
 * {@value #WORD}), as an overflowing half-precision export can leave a rarely seen token. Every pair that mentions
 * the word has a non-finite loss; the trainer quarantines exactly those (id and reason in the version's
 * {@code quarantinedPairs}, a dead letter each), trains the rest, keeps publishing, and a subscriber applies what it
 * publishes.
 */
@ExtendWith(SharedBroker.class)
class NonFiniteLossIT {

    private static final String MODEL = "scene-nan";
    private static final String WORD = "purple";
    private static final String EMBEDDINGS = "language_model.model.embed_tokens.weight";

    @TempDir
    Path dir;

    @Test
    void pairsWithANonFiniteLossAreQuarantinedWithTheirReasonAndTrainingGoesOn(EmbeddedKafkaBroker broker)
            throws Exception {
        String bootstrap = broker.bootstrapServers();
        Topics topics = OnlineTopics.create(bootstrap, "nan.", 1);
        Path base = poisonedBase(dir.resolve("base.ckpt"));
        Path artifacts = dir.resolve("artifacts");
        List<PreferencePair> pairs = new ArrayList<>();
        for (int i = 0; i < 24; i++) {
            pairs.add(SceneFixtures.pair(MODEL, 31, i));
        }
        Set<String> mentioning = mentioning(pairs, WORD);
        assertTrue(!mentioning.isEmpty() && mentioning.size() < pairs.size(), "some pairs mention " + WORD);
        List<PairProducer.Sent> produced = PairProducer.commit(bootstrap, topics.pairs(), pairs, 6);

        try (TestTrainer trainer = new TestTrainer.Settings(bootstrap, topics, MODEL, base, artifacts).start()) {
            Versions.awaitCoverage(bootstrap, topics.modelVersions(), MODEL, produced, trainer::assertAlive);
        }
        List<ModelVersion> versions = Versions.read(bootstrap, topics.modelVersions(), MODEL);
        Versions.assertExactlyOnce(versions, produced);
        Versions.assertArtifacts(versions);

        Map<String, String> quarantined = new LinkedHashMap<>();
        for (ModelVersion v : versions) {
            for (String entry : v.getQuarantinedPairs()) {
                String[] idAndReason = entry.split(" ", 2);
                quarantined.put(idAndReason[0], idAndReason[1]);
            }
        }
        assertEquals(mentioning, new TreeSet<>(quarantined.keySet()), "exactly the pairs that mention " + WORD);
        quarantined.values().forEach(reason -> assertTrue(reason.startsWith("NON_FINITE_LOSS"), reason));
        assertEquals(pairs.size() - mentioning.size(), versions.stream().mapToLong(ModelVersion::getPairs).sum(),
                "the other pairs trained");
        Versions.assertWindowsAccounted(versions);
        Map<String, DeadLetter> deadLetters = Versions.assertQuarantinedAreDeadLettered(bootstrap, topics, versions);
        deadLetters.values().forEach(d -> assertEquals("NON_FINITE_LOSS", d.getReason(), d.getDetail()));
        double poisonedRow = SceneFixtures.microSceneConfig().text().hiddenSize();
        for (ModelVersion v : versions.subList(1, versions.size())) {
            // the base's infinite row is all that is non-finite, in every version: training added no NaN
            assertEquals(poisonedRow, v.getMetrics().get("weights/non_finite"), "v" + v.getVersion());
            assertEquals(VersionStatus.PASSED, v.getStatus(), "v" + v.getVersion() + ": " + v.getStatusReason());
        }

        ModelVersion last = versions.get(versions.size() - 1);
        List<Long> applied = new CopyOnWriteArrayList<>();
        try (ServingModel serving = new ServingModel();
             ModelSubscriber subscriber = RecordingSubscriber.of(bootstrap, topics, MODEL, artifacts, serving,
                     applied).start()) {
            Await.until("the subscriber to apply the newest version", () -> applied, a -> !a.isEmpty());
            assertEquals(List.of(last.getVersion()), applied);
        }
    }

    /** A fresh micro model whose embedding row of {@link #WORD} is +infinity. */
    private static Path poisonedBase(Path file) throws IOException {
        try (ModelInstance m = SceneFixtures.microSceneModel(19)) {
            m.parameters().get(EMBEDDINGS).set(new NDIndex(m.tokenizer().id(WORD)), Float.POSITIVE_INFINITY);
            Files.write(file, m.checkpoint(Map.of(), Map.of()).toBytes());
        }
        return file;
    }

    /** Ids of the pairs whose prompt, chosen or rejected text holds the word's token. */
    private static Set<String> mentioning(List<PreferencePair> pairs, String word) {
        try (ModelInstance m = SceneFixtures.microSceneModel(19)) {
            TextTokenizer tokenizer = m.tokenizer();
            long id = tokenizer.id(word);
            return pairs.stream().filter(p -> List.of(p.getPrompt(), p.getChosen(), p.getRejected()).stream()
                            .anyMatch(text -> Arrays.stream(tokenizer.encode(text)).anyMatch(t -> t == id)))
                    .map(PreferencePair::getPairId).collect(Collectors.toCollection(TreeSet::new));
        }
    }
}
