package io.tpostream.ops.cli;

import io.tpostream.ops.broker.EmbeddedKafkaBroker;
import io.tpostream.ops.kafka.ClientSettings;
import io.tpostream.ops.testing.Cli;
import io.tpostream.ops.testing.SharedBroker;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@ExtendWith(SharedBroker.class)
class TopicsCommandIT {

    private static final List<String> TOPICS = List.of("feedback", "feedback.dlq", "feedback.outcomes", "pairs",
            "model-versions", "token-rewards");

    @Test
    void createsEverythingOnceThenFindsItAsPlanned(EmbeddedKafkaBroker broker) throws Exception {
        String prefix = "topics-it.";
        Cli.Result first = Cli.run("topics", "--bootstrap-servers", broker.bootstrapServers(), "--topic-prefix", prefix);
        assertEquals(0, first.exitCode(), first.toString());
        for (String t : TOPICS) {
            assertTrue(first.out().lines().anyMatch(l -> l.startsWith(prefix + t + " ") && l.contains(" created ")),
                    t + " not created:\n" + first.out());
        }

        try (Admin admin = Admin.create(ClientSettings.of(broker.bootstrapServers()).admin())) {
            List<String> names = TOPICS.stream().map(t -> prefix + t).toList();
            Map<String, TopicDescription> described = admin.describeTopics(names).allTopicNames().get(30, TimeUnit.SECONDS);
            assertEquals(3, described.get(prefix + "feedback").partitions().size());
            assertEquals(3, described.get(prefix + "pairs").partitions().size());
            assertEquals(3, described.get(prefix + "feedback.dlq").partitions().size());
            assertEquals(3, described.get(prefix + "feedback.outcomes").partitions().size());
            assertEquals(1, described.get(prefix + "model-versions").partitions().size());
            assertEquals(1, described.get(prefix + "token-rewards").partitions().size());
            Map<ConfigResource, Config> configs = admin.describeConfigs(names.stream()
                    .map(n -> new ConfigResource(ConfigResource.Type.TOPIC, n)).toList()).all().get(30, TimeUnit.SECONDS);
            assertEquals("-1", retention(configs, prefix + "feedback"));
            assertEquals("-1", retention(configs, prefix + "pairs"));
            assertEquals("-1", retention(configs, prefix + "model-versions"));
            assertEquals("-1", retention(configs, prefix + "token-rewards"));
            assertEquals("2592000000", retention(configs, prefix + "feedback.dlq"));
            assertEquals("2592000000", retention(configs, prefix + "feedback.outcomes"));
            assertEquals("delete", configs.get(new ConfigResource(ConfigResource.Type.TOPIC, prefix + "model-versions"))
                    .get("cleanup.policy").value());
        }

        Cli.Result second = Cli.run("topics", "--bootstrap-servers", broker.bootstrapServers(), "--topic-prefix", prefix);
        assertEquals(0, second.exitCode(), second.toString());
        assertEquals(TOPICS.size(), second.out().lines().filter(l -> l.contains(" exists ")).count(), second.out());
        assertEquals("", second.err());
    }

    @Test
    void reportsWhatDiffersAndChangesNothing(EmbeddedKafkaBroker broker) throws Exception {
        String prefix = "topics-differ.";
        try (Admin admin = Admin.create(ClientSettings.of(broker.bootstrapServers()).admin())) {
            admin.createTopics(List.of(new NewTopic(prefix + "pairs", 1, (short) 1)
                    .configs(Map.of("retention.ms", "3600000")))).all().get(30, TimeUnit.SECONDS);
        }
        Cli.Result r = Cli.run("topics", "--bootstrap-servers", broker.bootstrapServers(), "--topic-prefix", prefix);
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(r.out().lines().anyMatch(l -> l.startsWith(prefix + "pairs ") && l.contains(" differs ")), r.out());
        assertTrue(r.err().contains("warning: " + prefix + "pairs has 1 partitions, planned 3"), r.err());
        assertTrue(r.err().contains("warning: " + prefix + "pairs retention.ms is 3600000, planned -1"), r.err());
        assertEquals(TOPICS.size() - 1, r.out().lines().filter(l -> l.contains(" created ")).count(), r.out());
        try (Admin admin = Admin.create(ClientSettings.of(broker.bootstrapServers()).admin())) {
            assertEquals(1, admin.describeTopics(List.of(prefix + "pairs")).allTopicNames().get(30, TimeUnit.SECONDS)
                    .get(prefix + "pairs").partitions().size());
        }
    }

    private static String retention(Map<ConfigResource, Config> configs, String topic) {
        return configs.get(new ConfigResource(ConfigResource.Type.TOPIC, topic)).get("retention.ms").value();
    }
}
