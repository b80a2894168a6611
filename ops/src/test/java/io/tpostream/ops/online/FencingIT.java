package io.tpostream.ops.online;

import io.tpostream.ops.broker.EmbeddedKafkaBroker;
import io.tpostream.ops.testing.ChildTpo;
import io.tpostream.ops.testing.OnlineTopics;
import io.tpostream.ops.testing.PairProducer;
import io.tpostream.ops.testing.SharedBroker;
import io.tpostream.ops.testing.TestTrainer;
import io.tpostream.ops.testing.Versions;
import io.tpostream.schema.ModelVersion;
import io.tpostream.schema.PreferencePair;
import io.tpostream.schema.Topics;
import io.tpostream.trainer.testing.SceneFixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Two trainers of one model: the newer fences the older, which stops; the newer goes on; no version twice. */
@ExtendWith(SharedBroker.class)
class FencingIT {

    private static final String MODEL = "scene-fenced";
    private static final String PREFIX = "fence.";

    @TempDir
    Path dir;

    @Test
    void aSecondTrainerOfTheModelFencesTheFirstWhichStopsWhileTheSecondGoesOn(EmbeddedKafkaBroker broker)
            throws Exception {
        String bootstrap = broker.bootstrapServers();
        Topics topics = OnlineTopics.create(bootstrap, PREFIX, 2);
        Path base = SceneFixtures.writeBaseModel(dir.resolve("base.ckpt"), 4);
        Path artifacts = dir.resolve("artifacts");
        List<PairProducer.Sent> produced = new ArrayList<>(PairProducer.commit(bootstrap, topics.pairs(), pairs(0, 8), 4));

        try (ChildTpo first = ChildTpo.start(List.of(), "train", "--bootstrap-servers", bootstrap, "--topic-prefix",
                PREFIX, "--model", MODEL, "--base", base.toString(), "--artifacts", artifacts.toString(),
                "--batch-size", "4", "--publish-every-steps", "2", "--publish-every-seconds", "2", "--gate", "off",
                "--gate-probe-images", "2", "--device", "cpu")) {
            Versions.awaitCoverage(bootstrap, topics.modelVersions(), MODEL, produced, () -> {
                if (!first.alive()) {
                    throw new AssertionError("the first trainer ended early:\n" + first.output());
                }
            });
            int before = Versions.read(bootstrap, topics.modelVersions(), MODEL).size();

            try (TestTrainer second = new TestTrainer.Settings(bootstrap, topics, MODEL, base, artifacts).start()) {
                assertEquals(3, first.awaitExit(), "exit 3 means fenced:\n" + first.output());
                assertTrue(first.output().contains("tpo train: fenced: another trainer of model '" + MODEL
                        + "' took over"), first.output());

                produced.addAll(PairProducer.commit(bootstrap, topics.pairs(), pairs(8, 16), 4));
                Versions.awaitCoverage(bootstrap, topics.modelVersions(), MODEL, produced, second::assertAlive);
                assertTrue(second.published().stream().allMatch(v -> v.getVersion() >= before),
                        "the second trainer resumed from the history, it did not start over");
            }
        }
        List<ModelVersion> versions = Versions.read(bootstrap, topics.modelVersions(), MODEL);
        Versions.assertExactlyOnce(versions, produced);
        Versions.assertArtifacts(versions);
    }

    private static List<PreferencePair> pairs(int from, int to) {
        List<PreferencePair> out = new ArrayList<>();
        for (int i = from; i < to; i++) {
            out.add(SceneFixtures.pair(MODEL, 6, i));
        }
        return out;
    }
}
