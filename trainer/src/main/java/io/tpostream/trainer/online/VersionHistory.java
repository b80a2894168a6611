package io.tpostream.trainer.online;

import io.tpostream.schema.AvroSerde;
import io.tpostream.schema.ModelVersion;
import io.tpostream.schema.TopicSnapshot;
import io.tpostream.schema.UndecodableRecordException;
import io.tpostream.schema.VersionStatus;
import org.apache.kafka.clients.consumer.ConsumerRecord;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
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
        AvroSerde<ModelVersion> serde = AvroSerde.of(ModelVersion.class);
        List<ModelVersion> found = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : TopicSnapshot.read(clientConfig, topic, timeout)) {
            try {
                ModelVersion v = serde.decode(r.value());
                if (v.getModelName().equals(modelName)) {
                    found.add(v);
                }
            } catch (UndecodableRecordException e) {
                // a record this build cannot read is not one of our versions; it stays on the topic
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
