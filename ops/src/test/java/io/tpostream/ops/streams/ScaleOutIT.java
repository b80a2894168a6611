package io.tpostream.ops.streams;

import io.tpostream.ops.broker.EmbeddedKafkaBroker;
import io.tpostream.ops.synthetic.FeedbackScenario;
import io.tpostream.ops.kafka.ClientSettings;
import io.tpostream.ops.testing.Kafka;
import io.tpostream.ops.testing.Reconciliation;
import io.tpostream.ops.testing.ScenarioTopics;
import io.tpostream.ops.testing.SharedBroker;
import io.tpostream.schema.Topics;
import io.tpostream.streams.PairingApp;
import io.tpostream.streams.PairingConfig;
import io.tpostream.streams.pairing.PairingMetrics;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Scale-out on the real broker: two instances of the pairing app (one application id, a state directory each) on a
 * feedback topic of four partitions. The first runs alone through half of phase 1; the second joins while the rest
 * of phase 1 arrives, so a rebalance in the middle moves tasks, with their held ratings, remembered event ids and
 * pair ids, from one instance to the other. Phase 2 (second halves of rating pairs, resends of phase-1 events,
 * repeated pairs) is then processed by both. The committed output must be what one instance alone writes: exactly
 * the expected pairs, by their deterministic ids, each once, and every input record accounted for once.
 */
@ExtendWith(SharedBroker.class)
class ScaleOutIT {

    private static final String APPLICATION_ID = "scale-out-pairing";
    private static final int PARTITIONS = 4;

    @TempDir
    Path stateDir;

    @Test
    void twoInstancesAndARebalanceWriteExactlyWhatOneWould(EmbeddedKafkaBroker broker) throws Exception {
        String bootstrap = broker.bootstrapServers();
        Topics topics = new Topics("scale.");
        ScenarioTopics.create(bootstrap, topics, PARTITIONS);
        FeedbackScenario scenario = new FeedbackScenario(800, "scale");
        List<Kafka.Sent<FeedbackScenario.Input>> sent = new ArrayList<>();
        List<FeedbackScenario.Input> phase1 = scenario.phase(1);
        int half = phase1.size() / 2;

        try (PairingApp first = instance(bootstrap, topics, "first")) {
            first.start();
            first.awaitRunning(Kafka.DEADLINE);
            sent.addAll(ScenarioTopics.send(bootstrap, topics, phase1.subList(0, half)));
            Kafka.awaitCaughtUp(bootstrap, APPLICATION_ID, topics.feedback());
            assertEquals(PARTITIONS, first.activeTasks().size(), "alone, the first instance has every task");

            try (PairingApp second = instance(bootstrap, topics, "second")) {
                second.start();
                // sent while the group rebalances: some of it is read by the first instance, some by the second
                sent.addAll(ScenarioTopics.send(bootstrap, topics, phase1.subList(half, phase1.size())));
                Kafka.await("both instances RUNNING with all tasks split between them (%s)",
                        () -> splitBetween(first, second), () -> "first " + first.state() + " "
                                + first.activeTasks() + ", second " + second.state() + " " + second.activeTasks());
                long firstBefore = first.metricsSnapshot().get(PairingMetrics.EVENTS_IN);

                sent.addAll(ScenarioTopics.send(bootstrap, topics, scenario.phase(2)));
                Kafka.awaitCaughtUp(bootstrap, APPLICATION_ID, topics.feedback());
                Kafka.awaitNoOpenTransactions(bootstrap, ScenarioTopics.outputs(topics));
                Reconciliation.assertExact(scenario, sent, ScenarioTopics.read(bootstrap, topics));

                // phase 2 was shared: each instance read part of it, on the tasks the rebalance gave it
                assertTrue(second.metricsSnapshot().get(PairingMetrics.EVENTS_IN) > 0, "the second instance read "
                        + "nothing");
                assertTrue(first.metricsSnapshot().get(PairingMetrics.EVENTS_IN) > firstBefore, "the first "
                        + "instance read nothing of phase 2");
                // at least once each (a transaction aborted in a rebalance is read again; its output never shows)
                assertTrue(first.metricsSnapshot().get(PairingMetrics.EVENTS_IN)
                        + second.metricsSnapshot().get(PairingMetrics.EVENTS_IN) >= sent.size(), "records read");
                for (PairingApp app : List.of(first, second)) {
                    assertEquals(Optional.empty(), app.failure(), "no stream thread may fail");
                }
            }
        }
    }

    private PairingApp instance(String bootstrap, Topics topics, String name) {
        return new PairingApp(topics, PairingConfig.defaults(), ClientSettings.of(bootstrap)
                .streamsSettings(APPLICATION_ID, stateDir.resolve(name)).withCommitInterval(Duration.ofMillis(200)));
    }

    /** Both RUNNING, each with at least one task, and every task owned by exactly one of them. */
    private static boolean splitBetween(PairingApp first, PairingApp second) {
        if (first.state() != KafkaStreams.State.RUNNING || second.state() != KafkaStreams.State.RUNNING) {
            return false;
        }
        Set<String> a = first.activeTasks();
        Set<String> b = second.activeTasks();
        Set<String> all = new TreeSet<>(a);
        all.addAll(b);
        return !a.isEmpty() && !b.isEmpty() && all.size() == PARTITIONS && a.size() + b.size() == PARTITIONS;
    }

}
