package io.tpostream.ops.testing;

import ai.djl.Device;
import io.tpostream.ops.broker.EmbeddedKafkaBroker;
import io.tpostream.ops.kafka.ClientSettings;
import io.tpostream.schema.Artifact;
import io.tpostream.schema.AvroSerde;
import io.tpostream.schema.ModelVersion;
import io.tpostream.schema.Topics;
import io.tpostream.schema.VersionStatus;
import io.tpostream.trainer.publish.ArtifactStore;
import io.tpostream.trainer.publish.LocalArtifactStore;
import io.tpostream.trainer.publish.VersionSignature;
import io.tpostream.trainer.serving.ModelSubscriber;
import io.tpostream.trainer.serving.ServingModel;
import io.tpostream.trainer.serving.VersionListener;
import io.tpostream.trainer.testing.SceneFixtures;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.io.IOException;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PublicKey;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;

/**
 * Version records of one model written by the test itself, as a trainer or an attacker would write them, over real
 * micro-model checkpoints in a local artifact store; the system's topics are created under the given prefix.
 */
public final class VersionTopic implements AutoCloseable {

    private final String model;
    private final Topics topics;
    private final LocalArtifactStore store;
    private final KafkaProducer<String, byte[]> producer;

    public VersionTopic(EmbeddedKafkaBroker broker, String prefix, String model, Path artifacts) throws IOException {
        this.model = model;
        this.topics = OnlineTopics.create(broker.bootstrapServers(), prefix, 1);
        this.store = new LocalArtifactStore(artifacts);
        this.producer = new KafkaProducer<>(ClientSettings.of(broker.bootstrapServers()).producer(),
                new StringSerializer(), new ByteArraySerializer());
    }

    public Topics topics() {
        return topics;
    }

    public LocalArtifactStore store() {
        return store;
    }

    /** A version record over a fresh model checkpoint (its weights from seed = 100 + version). */
    public ModelVersion record(long version, VersionStatus status) throws IOException {
        ArtifactStore.StoredArtifact a = store.put(SceneFixtures.baseCheckpoint(100 + version));
        return ModelVersion.newBuilder().setModelName(model).setVersion(version).setParentVersion(version - 1)
                .setReferenceVersion(0).setArtifact(new Artifact(a.uri(), a.sha256(), a.sizeBytes(), "tpo-checkpoint-v1"))
                .setStatus(status).setStatusReason(status == VersionStatus.REJECTED ? "test" : null)
                .setTrainingWindow(List.of()).setPairs(0).setSteps(0).setObjective("tpo")
                .setHyperParameters(Map.of()).setSeed(0).setMetrics(Map.of()).setCreatedAt(Instant.now()).build();
    }

    public ModelVersion signed(long version, VersionStatus status, KeyPair key) throws IOException {
        ModelVersion v = record(version, status);
        VersionSignature.sign(v, key.getPrivate(), key.getPublic());
        return v;
    }

    public void publish(ModelVersion... versions) throws ExecutionException, InterruptedException {
        for (ModelVersion v : versions) {
            producer.send(new ProducerRecord<>(topics.modelVersions(), model,
                    AvroSerde.of(ModelVersion.class).encode(v))).get();
        }
    }

    /** A started subscriber of this model over this store. */
    public ModelSubscriber subscriber(EmbeddedKafkaBroker broker, ServingModel serving, VersionListener events,
                                      PublicKey trusted) {
        return new ModelSubscriber(Map.of("bootstrap.servers", broker.bootstrapServers()), topics.modelVersions(),
                model, List.of(store), trusted, serving, events, Device.cpu()).start();
    }

    @Override
    public void close() {
        producer.close();
    }
}
