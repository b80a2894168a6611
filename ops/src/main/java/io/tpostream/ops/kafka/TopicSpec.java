package io.tpostream.ops.kafka;

import org.apache.kafka.clients.admin.NewTopic;

import java.util.Map;
import java.util.Optional;

/**
 * A topic as the system wants it.
 *
 * @param replicationFactor empty: the cluster's {@code default.replication.factor}
 * @param configs           topic-level settings (retention etc.)
 */
public record TopicSpec(String name, int partitions, Optional<Short> replicationFactor, Map<String, String> configs) {

    public TopicSpec {
        if (partitions < 1) {
            throw new IllegalArgumentException(name + ": partitions must be at least 1, was " + partitions);
        }
        configs = Map.copyOf(configs);
    }

    public NewTopic toNewTopic() {
        return new NewTopic(name, Optional.of(partitions), replicationFactor).configs(configs);
    }
}
