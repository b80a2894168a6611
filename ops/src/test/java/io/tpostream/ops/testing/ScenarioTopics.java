package io.tpostream.ops.testing;

import io.tpostream.ops.kafka.ClientSettings;
import io.tpostream.ops.kafka.TopicAdmin;
import io.tpostream.ops.kafka.TopicPlanner;
import io.tpostream.ops.synthetic.FeedbackScenario;
import io.tpostream.schema.DeadLetter;
import io.tpostream.schema.FeedbackOutcome;
import io.tpostream.schema.PreferencePair;
import io.tpostream.schema.Topics;

import java.util.List;
import java.util.Optional;

/** Feedback for the pairing app on a real broker: the topics as production plans them, sending, what was committed. */
public final class ScenarioTopics {

    private ScenarioTopics() {
    }

    /** Everything the pairing app committed, as read_committed readers see it. */
    public record Committed(List<PreferencePair> pairs, List<DeadLetter> deadLetters,
                            List<FeedbackOutcome> outcomes) {
        public int size() {
            return pairs.size() + deadLetters.size() + outcomes.size();
        }
    }

    /** The system's topics with the production plan (the feedback topic stamps LogAppendTime). */
    public static void create(String bootstrap, Topics topics, int partitions) {
        try (TopicAdmin admin = TopicAdmin.connect(ClientSettings.of(bootstrap), Kafka.DEADLINE)) {
            admin.ensure(TopicPlanner.plan(topics, partitions, Optional.empty()));
        }
    }

    /** The pairing app's output topics. */
    public static List<String> outputs(Topics topics) {
        return List.of(topics.pairs(), topics.deadLetters(), topics.outcomes());
    }

    /** Sends the records, keyed as they are, to the feedback topic; returns where each landed. */
    public static List<Kafka.Sent<FeedbackScenario.Input>> send(String bootstrap, Topics topics,
                                                                List<FeedbackScenario.Input> inputs) throws Exception {
        return Kafka.send(bootstrap, topics.feedback(), inputs, FeedbackScenario.Input::key,
                FeedbackScenario.Input::value);
    }

    public static Committed read(String bootstrap, Topics topics) {
        return new Committed(
                Reconciliation.pairs(Kafka.readAll(bootstrap, List.of(topics.pairs()), true)),
                Reconciliation.deadLetters(Kafka.readAll(bootstrap, List.of(topics.deadLetters()), true)),
                Reconciliation.outcomes(Kafka.readAll(bootstrap, List.of(topics.outcomes()), true)));
    }
}
