package io.tpostream.ops.cli;

import io.tpostream.ops.broker.EmbeddedKafkaBroker;
import io.tpostream.ops.testing.ChildJvm;
import io.tpostream.ops.testing.Cli;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every command connects through a SASL listener when given the same client properties file. */
class SecuredClientsIT {

    private static final String LISTENER = "SASL_PLAINTEXT";
    private static EmbeddedKafkaBroker broker;

    @TempDir
    Path dir;

    @BeforeAll
    static void startBrokerWithSasl() {
        broker = EmbeddedKafkaBroker.builder()
                .listener(LISTENER, "SASL_PLAINTEXT", 0)
                .override("sasl.enabled.mechanisms", "PLAIN")
                .override("listener.name.sasl_plaintext.plain.sasl.jaas.config",
                        "org.apache.kafka.common.security.plain.PlainLoginModule required "
                                + "user_alice=\"alice-secret\";")
                .start();
    }

    @AfterAll
    static void stopBroker() {
        broker.close();
    }

    private Path clientProperties(String password) throws IOException {
        Path file = dir.resolve("client-" + password + ".properties");
        Files.write(file, List.of(
                "security.protocol=SASL_PLAINTEXT",
                "sasl.mechanism=PLAIN",
                "sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required "
                        + "username=\"alice\" password=\"" + password + "\";"));
        return file;
    }

    @Test
    void topicsProduceAndConsumeOverSasl() throws IOException {
        String config = clientProperties("alice-secret").toString();
        String servers = broker.bootstrapServers(LISTENER);
        Cli.Result topics = Cli.run("topics", "--bootstrap-servers", servers, "--command-config", config);
        assertEquals(0, topics.exitCode(), topics.toString());

        Cli.Result produced = Cli.run("produce", "--bootstrap-servers", servers, "--command-config", config,
                "--input", Path.of("examples/feedback.jsonl").toAbsolutePath().toString());
        assertEquals(0, produced.exitCode(), produced.toString());
        assertEquals("sent 11, skipped 0\n", produced.out());

        Cli.Result consumed = Cli.run("consume", "--bootstrap-servers", servers, "--command-config", config,
                "--topic", "feedback", "--from-beginning", "--max", "11", "--timeout", "30");
        assertEquals(0, consumed.exitCode(), consumed.toString());
        assertEquals(11, consumed.out().lines().count(), consumed.out());
    }

    @Test
    void aWrongPasswordFailsFastWithTheReason() throws IOException {
        long start = System.nanoTime();
        Cli.Result r = Cli.run("topics", "--bootstrap-servers", broker.bootstrapServers(LISTENER),
                "--command-config", clientProperties("wrong").toString());
        assertEquals(1, r.exitCode(), r.toString());
        assertTrue(r.err().startsWith("tpo topics: error: cannot list topics: Authentication failed"), r.err());
        assertTrue(System.nanoTime() - start < 20_000_000_000L, "must not wait for a timeout");
    }

    @Test
    void theStreamsAppConnectsOverSasl() throws Exception {
        String config = clientProperties("alice-secret").toString();
        List<String> connection = List.of("--bootstrap-servers", broker.bootstrapServers(LISTENER),
                "--command-config", config, "--topic-prefix", "sasl-streams.");
        assertEquals(0, Cli.run(StreamsCommandIT.args(connection, "topics")).exitCode());
        try (ChildJvm streams = ChildJvm.tpo(StreamsCommandIT.args(connection, "streams", "--state-dir",
                dir.resolve("state").toString()))) {
            streams.awaitLine("RUNNING", StreamsCommandIT.DEADLINE);
            assertEquals(0, Cli.run(StreamsCommandIT.args(connection, "produce", "--input",
                    StreamsCommandIT.EXAMPLES.resolve("feedback.jsonl").toString())).exitCode());
            StreamsCommandIT.assertExamplePairsAndDeadLetters(connection);
        }
    }
}
