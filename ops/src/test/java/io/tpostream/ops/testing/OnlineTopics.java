package io.tpostream.ops.testing;

import io.tpostream.ops.kafka.ClientSettings;
import io.tpostream.ops.kafka.TopicAdmin;
import io.tpostream.ops.kafka.TopicPlanner;
import io.tpostream.schema.Topics;

import java.time.Duration;
import java.util.Optional;

/** The system's topics under a test's own prefix, as 'tpo topics' creates them (auto-create is off). */
public final class OnlineTopics {

    private OnlineTopics() {
    }

    public static Topics create(String bootstrap, String prefix, int partitions) {
        Topics topics = new Topics(prefix);
        try (TopicAdmin admin = TopicAdmin.connect(ClientSettings.of(bootstrap), Duration.ofSeconds(60))) {
            admin.ensure(TopicPlanner.plan(topics, partitions, Optional.empty()));
        }
        return topics;
    }
}
