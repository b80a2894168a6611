package io.tpostream.ops.security;

import io.tpostream.ops.kafka.ClientSettings;
import io.tpostream.ops.testing.Await;
import io.tpostream.ops.testing.Cli;
import io.tpostream.ops.testing.SecureKafka;
import io.tpostream.schema.AvroSerde;
import io.tpostream.schema.ModelVersion;
import io.tpostream.schema.PreferencePair;
import io.tpostream.schema.TopicSnapshot;
import io.tpostream.schema.Topics;
import io.tpostream.schema.VersionStatus;
import io.tpostream.streams.PairingApp;
import io.tpostream.streams.PairingConfig;
import io.tpostream.streams.StreamsSettings;
import io.tpostream.trainer.online.VersionHistory;
import io.tpostream.trainer.testing.SceneFixtures;
import org.apache.kafka.common.resource.ResourceType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.apache.kafka.common.acl.AclOperation.CREATE;
import static org.apache.kafka.common.acl.AclOperation.DELETE;
import static org.apache.kafka.common.acl.AclOperation.DESCRIBE;
import static org.apache.kafka.common.acl.AclOperation.DESCRIBE_CONFIGS;
import static org.apache.kafka.common.acl.AclOperation.READ;
import static org.apache.kafka.common.acl.AclOperation.WRITE;
import static org.apache.kafka.common.resource.PatternType.LITERAL;
import static org.apache.kafka.common.resource.PatternType.PREFIXED;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The system over a secured cluster: SCRAM-SHA-512 over TLS, and ACLs that allow each principal only what it needs
 * (KRaft's StandardAuthorizer, nothing allowed by default). With the credentials in a {@code --command-config}
 * file, the CLI creates the topics and sends feedback, the pairing app turns it into pairs, {@code tpo train}
 * publishes a version and {@code tpo subscribe} applies it. A client without a login, with a wrong password, or
 * without the ACL for a topic is refused and says why.
 */
class SecureTransportIT {

    private static final String PREFIX = "sec.";
    private static final String APP_ID = "sec-pairing";
    /** The model the example feedback file is about. */
    private static final String MODEL = "tiny-vlm";
    private static final String TRAINER_ID = "tpo-trainer-" + MODEL;

    @TempDir
    static Path dir;
    private static SecureKafka kafka;
    private static Path alice;

    @BeforeAll
    static void startASecuredBrokerAndCreateTheTopicsAsAlice() throws Exception {
        kafka = SecureKafka.start(dir);
        kafka.addUser("alice", "alice-secret");
        // alice runs the whole system with each component's ACLs and nothing more (the table in docs/reliability.md)
        Topics topics = new Topics(PREFIX);
        kafka.allow("alice", ResourceType.TOPIC, PREFIXED, PREFIX, CREATE, DESCRIBE, DESCRIBE_CONFIGS);
        kafka.allow("alice", ResourceType.TOPIC, LITERAL, topics.feedback(), WRITE, READ);
        kafka.allow("alice", ResourceType.TOPIC, LITERAL, topics.pairs(), WRITE, READ);
        kafka.allow("alice", ResourceType.TOPIC, LITERAL, topics.deadLetters(), WRITE);
        kafka.allow("alice", ResourceType.TOPIC, LITERAL, topics.outcomes(), WRITE);
        kafka.allow("alice", ResourceType.TOPIC, LITERAL, topics.modelVersions(), READ, WRITE);
        kafka.allow("alice", ResourceType.TOPIC, LITERAL, topics.tokenRewards(), WRITE);
        kafka.allow("alice", ResourceType.TOPIC, PREFIXED, APP_ID, CREATE, DESCRIBE, DESCRIBE_CONFIGS, READ, WRITE,
                DELETE);
        kafka.allow("alice", ResourceType.GROUP, LITERAL, APP_ID, READ);
        kafka.allow("alice", ResourceType.TRANSACTIONAL_ID, PREFIXED, APP_ID, WRITE, DESCRIBE);
        kafka.allow("alice", ResourceType.GROUP, LITERAL, TRAINER_ID, READ);
        kafka.allow("alice", ResourceType.TRANSACTIONAL_ID, LITERAL, TRAINER_ID, WRITE, DESCRIBE);
        alice = kafka.clientProperties(dir, "alice", "alice-secret");

        Cli.Result created = cli("topics", alice, "--partitions", "1");
        assertEquals(0, created.exitCode(), created.toString());
    }

    @AfterAll
    static void stopBroker() {
        if (kafka != null) {
            kafka.close();
        }
    }

    private static Cli.Result cli(String command, Path config, String... args) {
        String[] common = {command, "--bootstrap-servers", kafka.bootstrapServers(), "--command-config",
                config.toString(), "--topic-prefix", PREFIX};
        String[] all = new String[common.length + args.length];
        System.arraycopy(common, 0, all, 0, common.length);
        System.arraycopy(args, 0, all, common.length, args.length);
        return Cli.run(all);
    }

    @Test
    void feedbackBecomesPairsThenAVersionThatTheSubscriberAppliesAllOverSaslSsl() throws Exception {
        Topics topics = new Topics(PREFIX);
        ClientSettings settings = ClientSettings.load(kafka.bootstrapServers(), alice);
        Path examples = Path.of("examples/feedback.jsonl").toAbsolutePath();
        // --send-invalid: the lines the app dead-letters go too, so that its dead-letter topic is written as well
        Cli.Result produced = cli("produce", alice, "--input", examples.toString(), "--send-invalid");
        assertEquals(0, produced.exitCode(), produced.toString());
        assertEquals("sent " + Files.readAllLines(examples).size() + " (4 invalid, lines 8, 9, 10, 11), skipped 0\n",
                produced.out());

        // the same properties, given to Kafka Streams: consumer group, transactional ids and internal topics
        StreamsSettings streams = StreamsSettings.of(kafka.bootstrapServers(), dir.resolve("streams"))
                .withApplicationId(APP_ID).withExtraProperties(settings.connection());
        Set<String> pairIds;
        try (PairingApp app = new PairingApp(topics, PairingConfig.defaults(), streams)) {
            app.start();
            app.awaitRunning(Await.DEADLINE);
            // ops/examples/README.md: two ratings that pair, two corrections and a comparison make four pairs (one
            // rating waits for a partner, the rest are dead letters); one correction's image is a remote URI the
            // trainer may not fetch
            pairIds = Await.until("the pairs of the example feedback", () -> pairIds(settings, topics),
                    ids -> ids.size() == 4);
        }
        Cli.Result consumed = cli("consume", alice, "--topic", "pairs", "--from-beginning", "--max", "4",
                "--timeout", "30");
        assertEquals(0, consumed.exitCode(), consumed.toString());
        assertEquals(4, consumed.out().lines().count(), consumed.out());

        Path base = SceneFixtures.writeBaseModel(dir.resolve("base.ckpt"), 21);
        Path artifacts = dir.resolve("artifacts");
        Cli.Result trained = cli("train", alice, "--model", MODEL, "--base", base.toString(), "--artifacts",
                artifacts.toString(), "--batch-size", "4", "--publish-every-steps", "1", "--publish-every-seconds", "2", "--gate", "off",
                "--gate-probe-images", "2", "--max-versions", "1", "--device", "cpu");
        assertEquals(0, trained.exitCode(), trained.toString());
        List<ModelVersion> versions = VersionHistory.read(settings.clientConfig(), topics.modelVersions(), MODEL,
                Duration.ofSeconds(30)).versions();
        assertEquals(List.of(0L, 1L), versions.stream().map(ModelVersion::getVersion).toList());
        ModelVersion v1 = versions.get(1);
        assertEquals(VersionStatus.PASSED, v1.getStatus());
        assertEquals(3, v1.getPairs(), "the three pairs with inline images trained");
        assertEquals(1, v1.getQuarantinedPairs().size(), v1.getQuarantinedPairs().toString());
        // its image is only a URL of a host the trainer was not told it may fetch from; its dead letter went out in
        // v1's transaction, under the trainer's WRITE on the dead-letter topic
        assertTrue(v1.getQuarantinedPairs().get(0).contains("IMAGE_HOST_REFUSED"), v1.getQuarantinedPairs().toString());

        CompletableFuture<Cli.Result> subscribed = CompletableFuture.supplyAsync(() -> cli("subscribe", alice,
                "--model", MODEL, "--artifacts", artifacts.toString(), "--until-version", "1"));
        Cli.Result subscribe = subscribed.get(Await.DEADLINE.toSeconds(), TimeUnit.SECONDS);
        assertEquals(0, subscribe.exitCode(), subscribe.toString());
        assertTrue(subscribe.out().startsWith("applied v1 (parent v0, 3 pairs, sha-256 "
                + v1.getArtifact().getSha256() + ")"), subscribe.out());
    }

    private static Set<String> pairIds(ClientSettings settings, Topics topics) {
        AvroSerde<PreferencePair> serde = AvroSerde.of(PreferencePair.class);
        return TopicSnapshot.read(settings.clientConfig(), topics.pairs(), Duration.ofSeconds(30)).stream()
                .map(r -> serde.decode(r.value()).getPairId()).collect(Collectors.toSet());
    }

    @Test
    void aWrongPasswordIsRefusedAtOnceWithTheReason() throws Exception {
        long start = System.nanoTime();
        Path wrong = kafka.clientProperties(dir, "alice", "not-her-password");
        Cli.Result r = cli("topics", wrong);
        assertEquals(1, r.exitCode(), r.toString());
        assertTrue(r.err().startsWith("tpo topics: error: cannot list topics: Authentication failed during "
                + "authentication due to invalid credentials with SASL mechanism SCRAM-SHA-512"), r.err());
        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(20), "must not wait for a timeout");

        // a serving application's subscriber that cannot log in says so and ends, instead of waiting forever
        CompletableFuture<Cli.Result> subscribed = CompletableFuture.supplyAsync(() -> cli("subscribe",
                wrong, "--model", MODEL, "--artifacts", dir.resolve("artifacts").toString(), "--until-version", "1"));
        Cli.Result subscribe = subscribed.get(Await.DEADLINE.toSeconds(), TimeUnit.SECONDS);
        assertEquals(1, subscribe.exitCode(), subscribe.toString());
        assertTrue(subscribe.err().contains("tpo subscribe: error: stopped following " + PREFIX + "model-versions: "
                + "Authentication failed"), subscribe.err());
    }

    @Test
    void aClientWithoutALoginIsRefused() throws Exception {
        // SASL_SSL named, but no login module: the client itself says what is missing, before any connection
        Path noJaas = Files.write(dir.resolve("no-login.properties"),
                List.of("security.protocol=SASL_SSL", "sasl.mechanism=SCRAM-SHA-512"));
        Cli.Result r = cli("topics", noJaas);
        assertEquals(1, r.exitCode(), r.toString());
        assertTrue(r.err().contains("JAAS"), r.err());

        // TLS only: the broker drops the connection at its first request, as it expects a SASL handshake; a short
        // client timeout keeps the test short
        Cli.Result tlsOnly = cli("topics", kafka.tlsOnlyProperties(dir, "default.api.timeout.ms=4000",
                "request.timeout.ms=4000"));
        assertEquals(1, tlsOnly.exitCode(), tlsOnly.toString());
        assertTrue(tlsOnly.err().startsWith("tpo topics: error: cannot list topics: Timed out waiting for a node "
                + "assignment"), tlsOnly.err());
        assertTrue(tlsOnly.err().contains("are the bootstrap servers and security settings right?"), tlsOnly.err());
    }

    @Test
    void aPrincipalWithoutTheAclsItNeedsIsRefusedAndToldWhich() throws Exception {
        // mallory may follow model versions (what a serving application needs) and nothing else
        kafka.addUser("mallory", "mallory-secret");
        kafka.allow("mallory", ResourceType.TOPIC, LITERAL, PREFIX + "model-versions", READ);
        Path mallory = kafka.clientProperties(dir, "mallory", "mallory-secret");

        Cli.Result produce = cli("produce", mallory, "--input", Path.of("examples/feedback.jsonl").toAbsolutePath()
                .toString());
        assertEquals(1, produce.exitCode(), produce.toString());
        assertTrue(produce.err().startsWith("tpo produce: error: cannot describe topic " + PREFIX + "feedback: Topic "
                + "authorization failed"), produce.err());

        Cli.Result consume = cli("consume", mallory, "--topic", "pairs", "--from-beginning", "--timeout", "5");
        assertEquals(1, consume.exitCode(), consume.toString());
        assertTrue(consume.err().startsWith("tpo consume: error: cannot describe topic " + PREFIX + "pairs: Topic "
                + "authorization failed"), consume.err());

        // a trainer without its transactional id stops at once and lists what it needs, instead of retrying forever
        Path base = SceneFixtures.writeBaseModel(dir.resolve("mallory-base.ckpt"), 21);
        Cli.Result train = cli("train", mallory, "--model", "mallory-model", "--base", base.toString(),
                "--artifacts", dir.resolve("mallory-artifacts").toString(), "--gate", "off", "--device", "cpu");
        assertEquals(1, train.exitCode(), train.toString());
        assertTrue(train.err().contains("tpo train: error: Kafka refused the trainer of model 'mallory-model': "
                + "Transactional Id authorization failed. It needs valid credentials and these ACLs:"), train.err());
        assertTrue(train.err().contains("WRITE and DESCRIBE on transactional id tpo-trainer-mallory-model"),
                train.err());
    }
}
