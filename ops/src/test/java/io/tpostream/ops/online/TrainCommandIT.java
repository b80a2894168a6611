package io.tpostream.ops.online;

import io.tpostream.ops.broker.EmbeddedKafkaBroker;
import io.tpostream.ops.testing.Cli;
import io.tpostream.ops.testing.OnlineTopics;
import io.tpostream.ops.testing.PairProducer;
import io.tpostream.ops.testing.SharedBroker;
import io.tpostream.ops.testing.Versions;
import io.tpostream.schema.ModelVersion;
import io.tpostream.schema.PreferencePair;
import io.tpostream.schema.Topics;
import io.tpostream.trainer.publish.VersionSignature;
import io.tpostream.trainer.testing.SceneFixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** tpo train in this JVM, as a batch job: a key from tpo keygen, two versions, then it stops by itself. */
@ExtendWith(SharedBroker.class)
class TrainCommandIT {

    private static final String MODEL = "scene-cli";

    @TempDir
    Path dir;

    @Test
    void trainsSignsPrintsAProgressLinePerVersionAndStopsAfterMaxVersions(EmbeddedKafkaBroker broker)
            throws Exception {
        String bootstrap = broker.bootstrapServers();
        Topics topics = OnlineTopics.create(bootstrap, "cli.", 1);
        Path base = SceneFixtures.writeBaseModel(dir.resolve("base.ckpt"), 8);
        List<PreferencePair> pairs = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            pairs.add(SceneFixtures.pair(MODEL, 2, i));
        }
        PairProducer.commit(bootstrap, topics.pairs(), pairs, 8);
        assertEquals(0, Cli.run("keygen", "--out", dir.toString(), "--name", "signer").exitCode());

        Cli.Result r = Cli.run("train", "--bootstrap-servers", bootstrap, "--topic-prefix", "cli.", "--model", MODEL,
                "--base", base.toString(), "--artifacts", dir.resolve("artifacts").toString(), "--batch-size", "4",
                "--publish-every-steps", "1", "--gate-probe-images", "2", "--signing-key",
                dir.resolve("signer.key").toString(), "--objective", "dpo", "--max-versions", "2", "--device", "cpu");
        assertEquals(0, r.exitCode(), r.toString());
        List<String> lines = r.out().lines().toList();
        assertEquals(3, lines.size(), r.out());
        assertTrue(lines.get(0).matches("v0 PASSED pairs=0 steps=0 loss=- CHAIR_i=\\d\\.\\d{4} POPE-adv-F1=\\d\\.\\d{4} "
                + "publish=\\d+ms"), lines.get(0));
        assertTrue(lines.get(1).matches("v1 PASSED pairs=4 steps=1 loss=\\d\\.\\d{4} .*"), lines.get(1));
        assertTrue(lines.get(2).startsWith("v2 PASSED pairs=4 steps=1 "), lines.get(2));
        assertTrue(r.err().contains("trainer stopped"), r.err());

        List<ModelVersion> versions = Versions.read(bootstrap, topics.modelVersions(), MODEL);
        assertEquals(List.of(0L, 1L, 2L), Versions.numbers(versions));
        var key = VersionSignature.readPublicKey(dir.resolve("signer.pub"));
        for (ModelVersion v : versions) {
            assertEquals(Optional.empty(), VersionSignature.verify(v, key), "v" + v.getVersion() + " is signed");
        }
        assertEquals("dpo", versions.get(2).getObjective());
    }
}
