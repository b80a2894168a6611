package io.tpostream.ops.kafka;

import io.tpostream.schema.Topics;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class TopicPlannerTest {

    private static final String THIRTY_DAYS_MS = String.valueOf(30L * 24 * 60 * 60 * 1000);

    private static Map<String, TopicSpec> byName(List<TopicSpec> plan) {
        return plan.stream().collect(Collectors.toMap(TopicSpec::name, s -> s));
    }

    @Test
    void everyTopicOfTheSystemWithItsPartitionsAndRetention() {
        List<TopicSpec> plan = TopicPlanner.plan(new Topics("x."));
        assertEquals(List.of("x.feedback", "x.feedback.dlq", "x.feedback.outcomes", "x.pairs", "x.model-versions", "x.token-rewards"),
                plan.stream().map(TopicSpec::name).toList());
        Map<String, TopicSpec> t = byName(plan);

        assertEquals(3, t.get("x.feedback").partitions());
        assertEquals(3, t.get("x.pairs").partitions());
        assertEquals(3, t.get("x.feedback.dlq").partitions());
        assertEquals(1, t.get("x.model-versions").partitions());
        assertEquals(1, t.get("x.token-rewards").partitions());

        for (String forever : List.of("x.feedback", "x.pairs", "x.model-versions", "x.token-rewards")) {
            assertEquals("-1", t.get(forever).configs().get("retention.ms"), forever);
            assertEquals("-1", t.get(forever).configs().get("retention.bytes"), forever);
        }
        assertEquals(THIRTY_DAYS_MS, t.get("x.feedback.dlq").configs().get("retention.ms"));
        assertEquals(THIRTY_DAYS_MS, t.get("x.feedback.outcomes").configs().get("retention.ms"));
        assertEquals(3, t.get("x.feedback.outcomes").partitions());
        plan.forEach(s -> assertEquals("delete", s.configs().get("cleanup.policy"), s.name() + " must not be compacted"));
        plan.forEach(s -> assertEquals(Optional.empty(), s.replicationFactor()));
        assertEquals("LogAppendTime", t.get("x.feedback").configs().get("message.timestamp.type"),
                "stream time must not be the producers' to set");
        plan.stream().filter(s -> !s.name().equals("x.feedback")).forEach(s ->
                assertEquals(null, s.configs().get("message.timestamp.type"), s.name()));
    }

    @Test
    void derivedTopicsHoldAWholeFeedbackEvent() {
        Map<String, TopicSpec> t = byName(TopicPlanner.plan(new Topics("x.")));
        int feedback = Integer.parseInt(t.get("x.feedback").configs().get("max.message.bytes"));
        assertEquals(1 << 20, feedback);
        for (String derived : List.of("x.pairs", "x.feedback.dlq")) {
            int max = Integer.parseInt(t.get(derived).configs().get("max.message.bytes"));
            assertEquals(2 * feedback, max, derived);
        }
        assertEquals(2 * feedback, ClientSettings.MAX_REQUEST_BYTES);
    }

    @Test
    void partitionsAndReplicationAreSettings() {
        Map<String, TopicSpec> t = byName(TopicPlanner.plan(new Topics("y."), 6, Optional.of((short) 3)));
        assertEquals(6, t.get("y.feedback").partitions());
        assertEquals(6, t.get("y.pairs").partitions());
        assertEquals(6, t.get("y.feedback.dlq").partitions());
        assertEquals(1, t.get("y.model-versions").partitions());
        t.values().forEach(s -> assertEquals(Optional.of((short) 3), s.replicationFactor()));
        assertEquals(6, t.get("y.pairs").toNewTopic().numPartitions());
        assertEquals((short) 3, t.get("y.pairs").toNewTopic().replicationFactor());
        assertEquals("-1", t.get("y.pairs").toNewTopic().configs().get("retention.ms"));
    }

    @Test
    void zeroPartitionsIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TopicPlanner.plan(new Topics("z."), 0, Optional.empty()));
        assertEquals("z.feedback: partitions must be at least 1, was 0", e.getMessage());
    }

    @Test
    void systemTopicsByShortAndFullName() {
        Topics topics = new Topics("q.");
        assertEquals(SystemTopic.DEAD_LETTERS, SystemTopic.of(topics, "dlq"));
        assertEquals(SystemTopic.DEAD_LETTERS, SystemTopic.of(topics, "q.feedback.dlq"));
        assertEquals(SystemTopic.MODEL_VERSIONS, SystemTopic.of(topics, "model-versions"));
        assertEquals("q.token-rewards", SystemTopic.TOKEN_REWARDS.topicName(topics));
        assertThrows(IllegalArgumentException.class, () -> SystemTopic.of(topics, "tpo.pairs"));
    }
}
