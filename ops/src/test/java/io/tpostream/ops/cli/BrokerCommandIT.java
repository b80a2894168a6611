package io.tpostream.ops.cli;

import io.tpostream.ops.kafka.ClientSettings;
import io.tpostream.ops.testing.ChildJvm;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code tpo broker} as a user runs it: its own JVM, the bootstrap line, topics, and a clean stop on a signal. */
class BrokerCommandIT {

    private static final Duration DEADLINE = Duration.ofSeconds(90);

    @TempDir
    Path dataDir;

    @Test
    void printsTheAddressCreatesTopicsAndStopsCleanlyOnSigterm() throws Exception {
        try (ChildJvm broker = ChildJvm.tpo("broker", "--data-dir", dataDir.toString(), "--topic-prefix", "cmd.")) {
            String bootstrap = broker.awaitLine("bootstrap: ", DEADLINE).substring("bootstrap: ".length());
            assertTrue(bootstrap.matches("127\\.0\\.0\\.1:\\d+"), bootstrap);
            broker.awaitLine("Ready.", DEADLINE);
            try (Admin admin = Admin.create(ClientSettings.of(bootstrap).admin())) {
                Set<String> names = admin.listTopics().names().get(30, TimeUnit.SECONDS);
                assertTrue(names.containsAll(List.of("cmd.feedback", "cmd.feedback.dlq", "cmd.pairs",
                        "cmd.model-versions", "cmd.token-rewards")), names.toString());
            }
            broker.terminate();
            broker.awaitExit(DEADLINE);
            assertTrue(broker.lines().contains("broker stopped"), broker.output());
        }
        assertTrue(dataDir.resolve("meta.properties").toFile().exists(), "a given data dir is kept");
    }
}
