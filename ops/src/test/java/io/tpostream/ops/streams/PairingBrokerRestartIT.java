package io.tpostream.ops.streams;

import io.tpostream.ops.broker.EmbeddedKafkaBroker;
import io.tpostream.ops.kafka.ClientSettings;
import io.tpostream.ops.synthetic.FeedbackScenario;
import io.tpostream.ops.testing.Kafka;
import io.tpostream.ops.testing.Reconciliation;
import io.tpostream.ops.testing.ScenarioTopics;
import io.tpostream.schema.Topics;
import io.tpostream.streams.PairingApp;
import io.tpostream.streams.PairingConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Exactly-once across a broker restart: the broker (the only one, so every partition leader, the group and the
 * transaction coordinator) stops and starts again on the same data and ports while the pairing app runs and has
 * output in flight. The app must ride it out without a failed thread, and the committed output must reconcile
 * exactly with the input.
 */
class PairingBrokerRestartIT {

    private static final String APPLICATION_ID = "restart-pairing";

    @TempDir
    Path stateDir;

    @Test
    void theAppRidesOutABrokerRestartAndTheCommittedOutputIsExact() throws Exception {
        Topics topics = new Topics("restart.");
        List<String> outputs = ScenarioTopics.outputs(topics);
        FeedbackScenario scenario = new FeedbackScenario(600, "restart");
        List<Kafka.Sent<FeedbackScenario.Input>> sent = new ArrayList<>();
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.builder().start()) {
            String bootstrap = broker.bootstrapServers();
            ScenarioTopics.create(bootstrap, topics, 3);
            // a long commit interval keeps output in an open transaction for seconds, so the restart hits one
            try (PairingApp app = new PairingApp(topics, PairingConfig.defaults(), ClientSettings.of(bootstrap)
                    .streamsSettings(APPLICATION_ID, stateDir).withCommitInterval(Duration.ofSeconds(5)))) {
                app.start();
                app.awaitRunning(Kafka.DEADLINE);
                List<FeedbackScenario.Input> phase1 = scenario.phase(1);
                int half = phase1.size() / 2;
                try (Kafka.Offsets output = new Kafka.Offsets(bootstrap, outputs)) {
                    sent.addAll(ScenarioTopics.send(bootstrap, topics, phase1.subList(0, half)));
                    output.awaitCommittedAndSettled(() -> "app " + app.state());
                    sent.addAll(ScenarioTopics.send(bootstrap, topics, phase1.subList(half, phase1.size())));
                    output.awaitOpenTransaction(() -> "app " + app.state());
                }

                broker.restart();

                sent.addAll(ScenarioTopics.send(bootstrap, topics, scenario.phase(2)));
                Kafka.awaitCaughtUp(bootstrap, APPLICATION_ID, topics.feedback());
                Kafka.awaitNoOpenTransactions(bootstrap, outputs);
                Reconciliation.assertExact(scenario, sent, ScenarioTopics.read(bootstrap, topics));

                assertEquals(Optional.empty(), app.failure(), "no stream thread may fail");
                assertTrue(!app.isDead(), "the app is still running: " + app.state());
            }
        }
    }

}
