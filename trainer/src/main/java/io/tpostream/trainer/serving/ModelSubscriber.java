package io.tpostream.trainer.serving;

import ai.djl.Device;
import io.tpostream.schema.AvroSerde;
import io.tpostream.schema.ModelVersion;
import io.tpostream.schema.UndecodableRecordException;
import io.tpostream.schema.VersionStatus;
import io.tpostream.trainer.model.ModelInstance;
import io.tpostream.trainer.publish.ArtifactStore;
import io.tpostream.trainer.publish.Artifacts;
import io.tpostream.trainer.publish.TrustedKeys;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.security.PublicKey;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Follows {@code tpo.model-versions} for one model and keeps a {@link ServingModel} on its newest PASSED version.
 *
 * <p>It reads the topic from the beginning without a consumer group (every subscriber needs every version), so a
 * subscriber that starts late catches up and loads only the newest version, not each one in between (if the newest
 * is refused, the newest older one that loads, so a fresh subscriber still gets a model). A version is
 * applied only after its artifact's SHA-256 matches the record (and, with trusted keys, the Ed25519 signature of one
 * of them over the whole record verifies); otherwise it is refused, the reason reported, and the current model stays. REJECTED versions are
 * never applied.
 */
public final class ModelSubscriber implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ModelSubscriber.class);

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final String topic;
    private final String modelName;
    private final List<ArtifactStore> stores;
    private final TrustedKeys trustedKeys;
    private final ServingModel serving;
    private final VersionListener listener;
    private final Device device;
    private final AvroSerde<ModelVersion> serde = AvroSerde.of(ModelVersion.class);
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Set<Long> refused = new HashSet<>();
    private final Thread thread;
    private volatile long appliedVersion = -1;
    private volatile boolean caughtUp;

    /**
     * @param clientConfig bootstrap servers and any security settings; deserializers and isolation are set here
     * @param trustedKey   if not null, only versions signed by this key are applied
     */
    public ModelSubscriber(Map<String, Object> clientConfig, String topic, String modelName,
                           List<ArtifactStore> stores, PublicKey trustedKey, ServingModel serving,
                           VersionListener listener, Device device) {
        this(clientConfig, topic, modelName, stores, serving, listener, device,
                trustedKey == null ? null : TrustedKeys.of(List.of(trustedKey)));
    }

    /**
     * A subscriber that accepts versions signed by any of several keys (key rotation); its listener hears which
     * one signed each applied version.
     *
     * @param clientConfig bootstrap servers and any security settings; deserializers and isolation are set here
     * @param trustedKeys  if not null, only versions whose whole record one of these keys signed are applied
     */
    public static ModelSubscriber trusting(TrustedKeys trustedKeys, Map<String, Object> clientConfig, String topic,
                                           String modelName, List<ArtifactStore> stores, ServingModel serving,
                                           VersionListener listener, Device device) {
        return new ModelSubscriber(clientConfig, topic, modelName, stores, serving, listener, device, trustedKeys);
    }

    private ModelSubscriber(Map<String, Object> clientConfig, String topic, String modelName,
                            List<ArtifactStore> stores, ServingModel serving, VersionListener listener, Device device,
                            TrustedKeys trustedKeys) {
        Map<String, Object> config = new HashMap<>(clientConfig);
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.remove(ConsumerConfig.GROUP_ID_CONFIG);
        this.consumer = new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        this.topic = topic;
        this.modelName = modelName;
        this.stores = List.copyOf(stores);
        this.trustedKeys = trustedKeys;
        this.serving = serving;
        this.listener = listener;
        this.device = device;
        this.thread = new Thread(this::run, "model-subscriber-" + modelName);
        this.thread.setDaemon(true);
    }

    /** Starts following the topic on a thread of its own. */
    public ModelSubscriber start() {
        thread.start();
        return this;
    }

    private void run() {
        try {
            List<TopicPartition> partitions = awaitPartitions();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> startupEnd = consumer.endOffsets(partitions);
            // PASSED versions newer than the one served, not yet tried: the newest that loads wins
            TreeMap<Long, ModelVersion> candidates = new TreeMap<>();
            while (running.get()) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    ModelVersion v = decode(record);
                    if (v != null && v.getModelName().equals(modelName) && v.getStatus() == VersionStatus.PASSED
                            && v.getVersion() > appliedVersion && !refused.contains(v.getVersion())) {
                        candidates.put(v.getVersion(), v);
                    }
                }
                if (!caughtUp) {
                    caughtUp = startupEnd.entrySet().stream().allMatch(e -> consumer.position(e.getKey()) >= e.getValue());
                }
                while (caughtUp && !candidates.isEmpty()) {
                    if (apply(candidates.pollLastEntry().getValue())) {
                        candidates.clear(); // older ones would be a step back
                    }
                }
            }
        } catch (WakeupException e) {
            if (running.get()) {
                LOG.error("model subscriber for {} stopped unexpectedly", modelName, e);
                listener.failed(e);
            }
        } catch (RuntimeException e) {
            LOG.error("model subscriber for {} failed; the current model stays in service", modelName, e);
            listener.failed(e);
        } finally {
            consumer.close(Duration.ofSeconds(5));
        }
    }

    private List<TopicPartition> awaitPartitions() {
        while (running.get()) {
            var infos = consumer.partitionsFor(topic, Duration.ofSeconds(10));
            if (infos != null && !infos.isEmpty()) {
                return infos.stream().map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            }
            try {
                Thread.sleep(500); // the topic does not exist (yet): ask again without spinning
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        throw new WakeupException();
    }

    private ModelVersion decode(ConsumerRecord<byte[], byte[]> record) {
        try {
            return serde.decode(record.value());
        } catch (UndecodableRecordException e) {
            LOG.warn("skipping unreadable record {}-{}@{}: {}", record.topic(), record.partition(), record.offset(),
                    e.getMessage());
            return null;
        }
    }

    /** Verifies, loads and serves the version; false (and the listener told why) if it was refused. */
    private boolean apply(ModelVersion v) {
        String problem = null;
        String signer = null;
        ModelInstance loaded = null;
        try {
            if (trustedKeys != null) {
                TrustedKeys.Verdict verdict = trustedKeys.verify(v);
                problem = verdict.problem().orElse(null);
                signer = verdict.keyId();
            }
            if (problem == null) {
                byte[] bytes = Artifacts.readVerified(stores, v.getArtifact());
                loaded = ModelInstance.load(bytes, v.getArtifact().getUri(), device);
            }
        } catch (Artifacts.TamperedArtifactException e) {
            problem = "version " + v.getVersion() + ": " + e.getMessage();
        } catch (Exception e) {
            problem = "cannot load version " + v.getVersion() + ": " + e.getMessage();
        }
        if (problem != null) {
            refused.add(v.getVersion());
            LOG.warn("refused {} v{}: {}", modelName, v.getVersion(), problem);
            listener.refused(v, problem);
            return false;
        }
        serving.swap(loaded, v);
        appliedVersion = v.getVersion();
        LOG.info("serving {} v{}{}", modelName, v.getVersion(), signer == null ? "" : " (signed by key " + signer + ")");
        listener.applied(v, signer);
        return true;
    }

    /** The version now being served, or -1. */
    public long appliedVersion() {
        return appliedVersion;
    }

    /** True once everything on the topic at start-up has been read. */
    public boolean caughtUp() {
        return caughtUp;
    }

    @Override
    public void close() {
        running.set(false);
        if (thread.isAlive()) {
            consumer.wakeup();
            try {
                thread.join(Duration.ofSeconds(30).toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        } else if (thread.getState() == Thread.State.NEW) {
            consumer.close(Duration.ofSeconds(5));
        }
    }
}
