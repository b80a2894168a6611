package io.tpostream.trainer.online;

import io.tpostream.schema.AvroSerde;
import io.tpostream.schema.ModelVersion;
import io.tpostream.schema.UndecodableRecordException;
import io.tpostream.schema.VersionStatus;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Every committed version record of one model, read from the start of {@code tpo.model-versions} to its current
 * end: what a restarting trainer resumes from and what a replay audit looks up.
 */
public record VersionHistory(List<ModelVersion> versions) {

    public static VersionHistory read(Map<String, Object> clientConfig, String topic, String modelName,
                                      Duration timeout) {
        Map<String, Object> config = new HashMap<>(clientConfig);
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.remove(ConsumerConfig.GROUP_ID_CONFIG);
        AvroSerde<ModelVersion> serde = AvroSerde.of(ModelVersion.class);
        List<ModelVersion> found = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            var infos = consumer.partitionsFor(topic, timeout);
            if (infos == null || infos.isEmpty()) {
                throw new IllegalStateException("topic " + topic + " does not exist: create the topics first (tpo topics)");
            }
            List<TopicPartition> partitions = infos.stream().map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, timeout);
            long deadline = System.nanoTime() + timeout.toNanos();
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
                if (System.nanoTime() > deadline) {
                    throw new org.apache.kafka.common.errors.TimeoutException(
                            "could not read " + topic + " to its end within " + timeout);
                }
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    try {
                        ModelVersion v = serde.decode(r.value());
                        if (v.getModelName().equals(modelName)) {
                            found.add(v);
                        }
                    } catch (UndecodableRecordException e) {
                        // a record this build cannot read is not one of our versions; it stays on the topic
                    }
                }
            }
        }
        found.sort(Comparator.comparingLong(ModelVersion::getVersion));
        return new VersionHistory(List.copyOf(found));
    }

    public Optional<ModelVersion> latest() {
        return versions.isEmpty() ? Optional.empty() : Optional.of(versions.get(versions.size() - 1));
    }

    public Optional<ModelVersion> latestPassed() {
        for (int i = versions.size() - 1; i >= 0; i--) {
            if (versions.get(i).getStatus() == VersionStatus.PASSED) {
                return Optional.of(versions.get(i));
            }
        }
        return Optional.empty();
    }

    public Optional<ModelVersion> version(long number) {
        return versions.stream().filter(v -> v.getVersion() == number).findFirst();
    }
}
