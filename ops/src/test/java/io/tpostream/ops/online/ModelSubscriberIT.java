package io.tpostream.ops.online;

import io.tpostream.ops.broker.EmbeddedKafkaBroker;
import io.tpostream.ops.testing.Await;
import io.tpostream.ops.testing.Cli;
import io.tpostream.ops.testing.SharedBroker;
import io.tpostream.ops.testing.VersionTopic;
import io.tpostream.schema.ModelVersion;
import io.tpostream.schema.VersionStatus;
import io.tpostream.trainer.eval.SceneWorld;
import io.tpostream.trainer.publish.VersionSignature;
import io.tpostream.trainer.serving.ModelSubscriber;
import io.tpostream.trainer.serving.ServingModel;
import io.tpostream.trainer.serving.VersionListener;
import io.tpostream.trainer.testing.SceneFixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The subscriber against version records written by the test itself, as a trainer or an attacker would write them,
 * over real checkpoints in a local artifact store.
 */
@ExtendWith(SharedBroker.class)
class ModelSubscriberIT {

    private static final String MODEL = "served";

    @TempDir
    Path dir;

    /** What a subscriber did, in order: "applied N" or "refused N: reason". */
    private static final class Events implements VersionListener {
        final List<String> seen = new CopyOnWriteArrayList<>();

        @Override
        public void applied(ModelVersion version) {
            seen.add("applied " + version.getVersion());
        }

        @Override
        public void refused(ModelVersion version, String reason) {
            seen.add("refused " + version.getVersion() + ": " + reason);
        }

        List<String> awaitCount(int n) {
            return Await.until(n + " subscriber events", () -> List.copyOf(seen), s -> s.size() >= n);
        }
    }

    private VersionTopic publisher(EmbeddedKafkaBroker broker, String prefix) throws IOException {
        return new VersionTopic(broker, prefix, MODEL, dir.resolve(prefix + "artifacts"));
    }

    @Test
    void afterCatchingUpOnlyTheNewestPassedVersionIsAppliedThenEachNewerPassedOne(EmbeddedKafkaBroker broker)
            throws Exception {
        try (VersionTopic p = publisher(broker, "sub-newest.")) {
            p.publish(p.record(0, VersionStatus.PASSED), p.record(1, VersionStatus.PASSED),
                    p.record(2, VersionStatus.REJECTED), p.record(3, VersionStatus.PASSED),
                    p.record(4, VersionStatus.REJECTED));
            Events events = new Events();
            try (ServingModel serving = new ServingModel();
                 ModelSubscriber s = p.subscriber(broker, serving, events, null)) {
                assertEquals(List.of("applied 3"), events.awaitCount(1));
                assertTrue(s.caughtUp());
                p.publish(p.record(5, VersionStatus.PASSED));
                assertEquals(List.of("applied 3", "applied 5"), events.awaitCount(2));
                p.publish(p.record(6, VersionStatus.REJECTED), p.record(7, VersionStatus.PASSED));
                assertEquals(List.of("applied 3", "applied 5", "applied 7"), events.awaitCount(3));
                assertEquals(7, serving.version().orElseThrow().getVersion());
                assertEquals(7, s.appliedVersion());
            }
        }
    }

    @Test
    void aTamperedArtifactIsRefusedTheServedModelStaysAndTheNextGoodVersionIsApplied(EmbeddedKafkaBroker broker)
            throws Exception {
        try (VersionTopic p = publisher(broker, "sub-tamper.")) {
            ModelVersion v1 = p.record(1, VersionStatus.PASSED);
            Path file = Path.of(URI.create(v1.getArtifact().getUri()));
            Files.write(file, SceneFixtures.baseCheckpoint(999)); // a valid checkpoint, but not the recorded one
            p.publish(p.record(0, VersionStatus.PASSED), v1);
            Events events = new Events();
            try (ServingModel serving = new ServingModel();
                 ModelSubscriber ignored = p.subscriber(broker, serving, events, null)) {
                List<String> seen = events.awaitCount(2);
                assertTrue(seen.get(0).startsWith("refused 1: version 1: artifact " + v1.getArtifact().getUri()
                        + " hashes to "), seen.get(0));
                assertTrue(seen.get(0).endsWith("(tampered or corrupt)"), seen.get(0));
                assertEquals("applied 0", seen.get(1), "a fresh subscriber falls back to the newest version that loads");
                assertEquals(0, serving.version().orElseThrow().getVersion());
                assertTrue(serving.withModel(m -> m.parameters().size()).orElseThrow() > 0, "v0 still serves");

                p.publish(p.record(2, VersionStatus.PASSED));
                assertEquals("applied 2", events.awaitCount(3).get(2));
            }
        }
    }

    @Test
    void withATrustedKeyUnsignedForgedAndRelabelledVersionsAreRefused(EmbeddedKafkaBroker broker) throws Exception {
        KeyPair trusted = VersionSignature.generate();
        try (VersionTopic p = publisher(broker, "sub-signed.")) {
            p.publish(p.signed(0, VersionStatus.PASSED, trusted));
            Events events = new Events();
            try (ServingModel serving = new ServingModel();
                 ModelSubscriber ignored = p.subscriber(broker, serving, events, trusted.getPublic())) {
                assertEquals(List.of("applied 0"), events.awaitCount(1));

                p.publish(p.record(1, VersionStatus.PASSED));
                assertTrue(events.awaitCount(2).get(1).contains("unsigned"), events.seen.toString());

                p.publish(p.signed(2, VersionStatus.PASSED, VersionSignature.generate()));
                assertTrue(events.awaitCount(3).get(2).contains("not the trusted key"), events.seen.toString());

                ModelVersion flipped = p.signed(3, VersionStatus.PASSED, trusted);
                byte[] signature = flipped.getSignature().array().clone();
                signature[0] ^= 0x01;
                flipped.setSignature(ByteBuffer.wrap(signature));
                p.publish(flipped);
                assertTrue(events.awaitCount(4).get(3).contains("does not match its content"), events.seen.toString());

                ModelVersion relabelled = p.signed(4, VersionStatus.REJECTED, trusted);
                relabelled.setStatus(VersionStatus.PASSED);
                relabelled.setStatusReason(null);
                p.publish(relabelled);
                assertTrue(events.awaitCount(5).get(4).startsWith("refused 4: ")
                        && events.seen.get(4).contains("does not match its content"), events.seen.toString());
                assertEquals(0, serving.version().orElseThrow().getVersion(), "nothing forged got served");

                p.publish(p.signed(5, VersionStatus.PASSED, trusted));
                assertEquals("applied 5", events.awaitCount(6).get(5));
            }
        }
    }

    @Test
    void theSubscribeCommandPrintsEachAppliedVersionAndCaptionsWithIt(EmbeddedKafkaBroker broker) throws Exception {
        KeyPair trusted = VersionSignature.generate();
        Path publicKey = dir.resolve("trusted.pub");
        VersionSignature.writeKeys(trusted, dir.resolve("trusted.key"), publicKey);
        Path image = Files.write(dir.resolve("scene.png"),
                SceneWorld.unbiased().render(SceneWorld.unbiased().scene(1, 1)).encodePng());
        try (VersionTopic p = publisher(broker, "sub-cli.")) {
            p.publish(p.signed(0, VersionStatus.PASSED, trusted), p.record(1, VersionStatus.PASSED),
                    p.signed(2, VersionStatus.PASSED, trusted));
            Cli.Result r = Cli.run("subscribe", "--bootstrap-servers", broker.bootstrapServers(), "--topic-prefix",
                    "sub-cli.", "--model", MODEL, "--public-key", publicKey.toString(), "--until-version", "2",
                    "--caption", image.toString());
            assertEquals(0, r.exitCode(), r.toString());
            List<String> lines = r.out().lines().toList();
            assertTrue(lines.get(0).startsWith("applied v2 (parent v1, 0 pairs, sha-256 "), r.out());
            assertTrue(lines.get(1).startsWith("  caption scene.png: "), r.out());
            assertTrue(r.err().contains("signatures required, key " + VersionSignature.keyId(trusted.getPublic())),
                    r.err());
        }
    }
}
