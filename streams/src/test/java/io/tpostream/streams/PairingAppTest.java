package io.tpostream.streams;

import io.tpostream.schema.Topics;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeoutException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The application wrapper without a broker (the broker-level tests live with the embedded broker): lifecycle,
 * waiting and metrics while Kafka cannot be reached.
 */
class PairingAppTest {

    @TempDir
    Path stateDir;

    private StreamsSettings unreachable() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort(); // free again after close: nothing listens there
        }
        return StreamsSettings.of("127.0.0.1:" + port, stateDir).withApplicationId("pairing-app-test")
                .withExtraProperties(Map.of("reconnect.backoff.max.ms", "100"));
    }

    @Test
    void awaitRunningBeforeStartIsAnError() throws Exception {
        try (PairingApp app = new PairingApp(new Topics("t."), PairingConfig.defaults(), unreachable())) {
            assertEquals(KafkaStreams.State.CREATED, app.state());
            assertThrows(IllegalStateException.class, () -> app.awaitRunning(Duration.ofMillis(10)));
        }
    }

    @Test
    void withoutABrokerAwaitRunningTimesOutNamingTheStateAndCloseStillReturns() throws Exception {
        PairingApp app = new PairingApp(new Topics("t."), PairingConfig.defaults(), unreachable());
        try {
            app.start();
            TimeoutException e = assertThrows(TimeoutException.class, () -> app.awaitRunning(Duration.ofMillis(300)));
            assertTrue(e.getMessage().contains("state is"), e.getMessage());
            assertEquals(0L, app.metricsSnapshot().get("events-in"));
        } finally {
            assertTrue(app.close(Duration.ofSeconds(20)), "closed within the timeout");
        }
        assertEquals(KafkaStreams.State.NOT_RUNNING, app.state());
        assertThrows(IllegalStateException.class, () -> app.awaitRunning(Duration.ofMillis(10)),
                "a closed app is not going to run");
    }
}
