package io.tpostream.ops.online;

import ai.djl.Device;
import io.tpostream.ops.broker.EmbeddedKafkaBroker;
import io.tpostream.ops.testing.OnlineTopics;
import io.tpostream.ops.testing.PairProducer;
import io.tpostream.ops.testing.SharedBroker;
import io.tpostream.ops.testing.TestTrainer;
import io.tpostream.ops.testing.Versions;
import io.tpostream.schema.ModelVersion;
import io.tpostream.schema.PreferencePair;
import io.tpostream.schema.Topics;
import io.tpostream.trainer.online.ReplayAudit;
import io.tpostream.trainer.online.StalenessBound;
import io.tpostream.trainer.online.VersionHistory;
import io.tpostream.trainer.publish.LocalArtifactStore;
import io.tpostream.trainer.testing.SceneFixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code --max-staleness 1} on the real broker: pairs written by a version more than one behind the one trained
 * from are consumed but not trained, each version's metrics count them apart from what it trained, and a version
 * that skipped some replays bit for bit.
 */
@ExtendWith(SharedBroker.class)
class StalePairsIT {

    private static final String MODEL = "scene-stale";
    private static final StalenessBound BOUND = StalenessBound.of(1);
    /** Policy versions of the last pairs, in turn: v0 (stale by then), unknown, v2. */
    private static final Long[] LATE_MIX = {0L, null, 2L};

    @TempDir
    Path dir;

    private final Map<String, Long> policyVersionOf = new HashMap<>();

    @Test
    void stalePairsAreSkippedCountedInTheirVersionsMetricsAndTheVersionReplays(EmbeddedKafkaBroker broker)
            throws Exception {
        String bootstrap = broker.bootstrapServers();
        // one partition: the pairs reach the trainer in the order below, so no window is made of stale pairs alone
        Topics topics = OnlineTopics.create(bootstrap, "stale.", 1);
        Path base = SceneFixtures.writeBaseModel(dir.resolve("base.ckpt"), 3);
        Path artifacts = dir.resolve("artifacts");
        List<PairProducer.Sent> produced = new ArrayList<>();
        try (TestTrainer trainer = new TestTrainer.Settings(bootstrap, topics, MODEL, base, artifacts)
                .staleness(BOUND).publishEverySteps(1).start()) {
            // feedback on v0, then on v1: each trains at least one version, so the model is at v2 or later after
            produced.addAll(PairProducer.commit(bootstrap, topics.pairs(), pairs(0, 4, i -> 0L), 4));
            Versions.awaitCoverage(bootstrap, topics.modelVersions(), MODEL, produced, trainer::assertAlive);
            produced.addAll(PairProducer.commit(bootstrap, topics.pairs(), pairs(4, 8, i -> 1L), 4));
            Versions.awaitCoverage(bootstrap, topics.modelVersions(), MODEL, produced, trainer::assertAlive);
            // then late feedback on v0 (stale from here on), pairs of an unknown version, and feedback on v2
            produced.addAll(PairProducer.commit(bootstrap, topics.pairs(),
                    pairs(8, 20, i -> LATE_MIX[i % 3]), 6));
            Versions.awaitCoverage(bootstrap, topics.modelVersions(), MODEL, produced, trainer::assertAlive);
        }
        List<ModelVersion> versions = Versions.read(bootstrap, topics.modelVersions(), MODEL);
        Versions.assertExactlyOnce(versions, produced);

        long staleInAll = 0;
        for (ModelVersion v : versions.subList(1, versions.size())) {
            List<PairProducer.Sent> window = produced.stream().filter(s -> Versions.contains(v, s)).toList();
            long stale = window.stream().filter(s -> BOUND.isStale(policyVersionOf.get(s.pairId()),
                    v.getParentVersion())).count();
            Map<String, Double> m = v.getMetrics();
            String label = "v" + v.getVersion() + " (parent v" + v.getParentVersion() + ") " + m;
            assertEquals("1", v.getHyperParameters().get(StalenessBound.KEY), label);
            assertEquals(stale, m.get("window/pairs_stale"), label);
            assertEquals(window.size() - stale, v.getPairs(), label);
            staleInAll += stale;
        }
        Versions.assertWindowsAccounted(versions);
        assertTrue(staleInAll >= 4, "the four late pairs of v0 came when the model was at v2 or later: " + staleInAll);

        // a version that trained some pairs and skipped others
        ModelVersion mixed = versions.stream().filter(v -> v.getPairs() > 0)
                .max(Comparator.comparingDouble(v -> v.getMetrics().getOrDefault("window/pairs_stale", 0.0)))
                .orElseThrow();
        assertTrue(mixed.getMetrics().get("window/pairs_stale") > 0, Versions.numbers(versions) + ": " + mixed);
        ReplayAudit audit = new ReplayAudit(Map.of("bootstrap.servers", bootstrap), topics.modelVersions(),
                List.of(new LocalArtifactStore(artifacts)), Device.cpu(), Duration.ofSeconds(60));
        ReplayAudit.Result replayed = audit.audit(mixed, new VersionHistory(versions));
        assertTrue(replayed.reproduced(), replayed.describe());
    }

    private List<PreferencePair> pairs(int from, int to, java.util.function.IntFunction<Long> policyVersion) {
        List<PreferencePair> out = new ArrayList<>();
        for (int i = from; i < to; i++) {
            PreferencePair p = SceneFixtures.pair(MODEL, 9, i);
            p.setPolicyVersion(policyVersion.apply(i));
            policyVersionOf.put(p.getPairId(), p.getPolicyVersion());
            out.add(p);
        }
        return out;
    }
}
