package io.tpostream.ops.streams;

import io.tpostream.ops.broker.EmbeddedKafkaBroker;
import io.tpostream.ops.kafka.ClientSettings;
import io.tpostream.ops.kafka.TopicAdmin;
import io.tpostream.ops.kafka.TopicPlanner;
import io.tpostream.ops.synthetic.FeedbackScenario;
import io.tpostream.ops.testing.Kafka;
import io.tpostream.ops.testing.Reconciliation;
import io.tpostream.schema.DeadLetter;
import io.tpostream.schema.FeedbackOutcome;
import io.tpostream.schema.PreferencePair;
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
        List<String> outputs = List.of(topics.pairs(), topics.deadLetters(), topics.outcomes());
        FeedbackScenario scenario = new FeedbackScenario(600, "restart");
        List<Kafka.Sent<FeedbackScenario.Input>> sent = new ArrayList<>();
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.builder().start()) {
            String bootstrap = broker.bootstrapServers();
            try (TopicAdmin admin = TopicAdmin.connect(ClientSettings.of(bootstrap), Kafka.DEADLINE)) {
                admin.ensure(TopicPlanner.plan(topics, 3, Optional.empty()));
            }
            // a long commit interval keeps output in an open transaction for seconds, so the restart hits one
            try (PairingApp app = new PairingApp(topics, PairingConfig.defaults(), ClientSettings.of(bootstrap)
                    .streamsSettings(APPLICATION_ID, stateDir).withCommitInterval(Duration.ofSeconds(5)))) {
                app.start();
                app.awaitRunning(Kafka.DEADLINE);
                List<FeedbackScenario.Input> phase1 = scenario.phase(1);
                int half = phase1.size() / 2;
                try (Kafka.Offsets output = new Kafka.Offsets(bootstrap, outputs)) {
                    sent.addAll(send(bootstrap, topics, phase1.subList(0, half)));
                    output.awaitCommittedAndSettled(() -> "app " + app.state());
                    sent.addAll(send(bootstrap, topics, phase1.subList(half, phase1.size())));
                    output.awaitOpenTransaction(() -> "app " + app.state());
                }

                broker.restart();

                sent.addAll(send(bootstrap, topics, scenario.phase(2)));
                Kafka.awaitCaughtUp(bootstrap, APPLICATION_ID, topics.feedback());
                Kafka.awaitNoOpenTransactions(bootstrap, outputs);
                List<PreferencePair> pairs = Reconciliation.pairs(Kafka.readAll(bootstrap, List.of(topics.pairs()),
                        true));
                List<DeadLetter> deadLetters = Reconciliation.deadLetters(Kafka.readAll(bootstrap,
                        List.of(topics.deadLetters()), true));
                List<FeedbackOutcome> outcomes = Reconciliation.outcomes(Kafka.readAll(bootstrap,
                        List.of(topics.outcomes()), true));
                Reconciliation.assertExact(scenario, sent, pairs, deadLetters, outcomes);

                assertEquals(Optional.empty(), app.failure(), "no stream thread may fail");
                assertTrue(!app.isDead(), "the app is still running: " + app.state());
            }
        }
    }

    private static List<Kafka.Sent<FeedbackScenario.Input>> send(String bootstrap, Topics topics,
                                                                 List<FeedbackScenario.Input> inputs) throws Exception {
        return Kafka.send(bootstrap, topics.feedback(), inputs, FeedbackScenario.Input::key,
                FeedbackScenario.Input::value);
    }
}
