package io.tpostream.ops.online;

import io.tpostream.ops.broker.EmbeddedKafkaBroker;
import io.tpostream.ops.testing.OnlineTopics;
import io.tpostream.ops.testing.PairProducer;
import io.tpostream.ops.testing.SharedBroker;
import io.tpostream.ops.testing.TestTrainer;
import io.tpostream.ops.testing.TopicReader;
import io.tpostream.ops.testing.Versions;
import io.tpostream.schema.AvroSerde;
import io.tpostream.schema.DeadLetter;
import io.tpostream.schema.ImageRef;
import io.tpostream.schema.ModelVersion;
import io.tpostream.schema.PreferencePair;
import io.tpostream.schema.TokenRewardTrace;
import io.tpostream.schema.Topics;
import io.tpostream.trainer.image.HostAllowlist;
import io.tpostream.trainer.image.ImageSources;
import io.tpostream.trainer.image.IpNetwork;
import io.tpostream.trainer.testing.ImageServer;
import io.tpostream.trainer.testing.SceneFixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Pairs whose image is only a URL, on the real broker: the trainer fetches them from an image server on 127.0.0.1
 * (its network allowed explicitly, as loopback is refused by default), trains the pair whose image it can use, and
 * writes each pair whose image it cannot use to the dead-letter topic, with the reason, in the transaction of the
 * version that covers it.
 */
@ExtendWith(SharedBroker.class)
class RemoteImagesIT {

    private static final String MODEL = "scene-remote";
    private static final AvroSerde<PreferencePair> SERDE = AvroSerde.of(PreferencePair.class);

    @TempDir
    Path dir;

    /** The pair with its inline image replaced by a URL and the sha-256 the image must have. */
    private static PreferencePair byUrl(PreferencePair inline, URI uri) {
        ImageRef image = ImageRef.newBuilder(inline.getImage()).setBytes(null).setUri(uri.toString()).build();
        return PreferencePair.newBuilder(inline).setImage(image).build();
    }

    private static byte[] bytes(ImageRef inline) {
        ByteBuffer b = inline.getBytes().duplicate();
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }

    @Test
    void aPairWithAFetchableImageTrainsAndPairsWithUnusableImagesBecomeDeadLettersWithTheirReason(
            EmbeddedKafkaBroker broker) throws Exception {
        String bootstrap = broker.bootstrapServers();
        Topics topics = OnlineTopics.create(bootstrap, "remote.", 1);
        Path base = SceneFixtures.writeBaseModel(dir.resolve("base.ckpt"), 3);
        try (ImageServer server = ImageServer.http()) {
            PreferencePair good = SceneFixtures.pair(MODEL, 61, 0);
            PreferencePair gone = SceneFixtures.pair(MODEL, 61, 1);
            PreferencePair altered = SceneFixtures.pair(MODEL, 61, 2);
            PreferencePair elsewhere = SceneFixtures.pair(MODEL, 61, 3);
            server.serve("/good.png", ImageServer.bytes(bytes(good.getImage())))
                    .serve("/gone.png", ImageServer.status(404))
                    .serve("/altered.png", ImageServer.bytes(bytes(good.getImage()))); // not the image judged
            List<PreferencePair> pairs = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                pairs.add(SceneFixtures.pair(MODEL, 62, i)); // inline
            }
            PreferencePair fetched = byUrl(good, server.uri("/good.png"));
            PreferencePair notFound = byUrl(gone, server.uri("/gone.png"));
            PreferencePair mismatch = byUrl(altered, server.uri("/altered.png"));
            // a name the allowlist lacks, though it resolves to the same allowed address
            PreferencePair unlisted = byUrl(elsewhere, URI.create("http://localhost:" + server.port() + "/good.png"));
            pairs.addAll(2, List.of(fetched, notFound, mismatch, unlisted));
            List<PairProducer.Sent> produced = PairProducer.commit(bootstrap, topics.pairs(), pairs, 5);

            ImageSources sources = ImageSources.defaults()
                    .withHosts(new HostAllowlist(List.of("127.0.0.1")))
                    .withAllowedNetworks(List.of(IpNetwork.parse("127.0.0.1/32")))
                    .withTimeouts(Duration.ofSeconds(30), Duration.ofSeconds(60));
            try (TestTrainer trainer = new TestTrainer.Settings(bootstrap, topics, MODEL, base,
                    dir.resolve("artifacts")).images(sources).start()) {
                Versions.awaitCoverage(bootstrap, topics.modelVersions(), MODEL, produced, trainer::assertAlive);
            }
            List<ModelVersion> versions = Versions.read(bootstrap, topics.modelVersions(), MODEL);
            Versions.assertExactlyOnce(versions, produced);
            Versions.assertWindowsAccounted(versions);
            assertEquals(pairs.size() - 3, versions.stream().mapToLong(ModelVersion::getPairs).sum(),
                    "every pair trained but the three with unusable images");
            assertEquals(1, server.hits("/good.png"), "the image was fetched once (and not for the unlisted name)");

            Map<String, DeadLetter> deadLetters = Versions.assertQuarantinedAreDeadLettered(bootstrap, topics,
                    versions);
            Map<String, String> reasons = new TreeMap<>();
            deadLetters.forEach((id, d) -> reasons.put(id, d.getReason()));
            assertEquals(Map.of(notFound.getPairId(), "IMAGE_HTTP_STATUS", mismatch.getPairId(), "IMAGE_SHA_MISMATCH",
                    unlisted.getPairId(), "IMAGE_HOST_REFUSED"), reasons);
            for (PreferencePair p : List.of(notFound, mismatch, unlisted)) {
                DeadLetter d = deadLetters.get(p.getPairId());
                assertEquals(ByteBuffer.wrap(SERDE.encode(p)), d.getRawValue(), "the pair's own bytes");
                assertTrue(d.getDetail().startsWith("pair " + p.getPairId() + ", quarantined by the trainer of model "
                        + MODEL), d.getDetail());
            }
            assertTrue(deadLetters.get(notFound.getPairId()).getDetail().contains("answered 404"),
                    deadLetters.get(notFound.getPairId()).getDetail());

            AvroSerde<TokenRewardTrace> traces = AvroSerde.of(TokenRewardTrace.class);
            Set<String> traced = TopicReader.readAll(bootstrap, topics.tokenRewards()).stream()
                    .map(r -> traces.decode(r.value()).getPairId()).collect(Collectors.toSet());
            assertTrue(traced.contains(fetched.getPairId()), "the pair with the fetched image trained");
        }
    }
}
