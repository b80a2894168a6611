package io.tpostream.trainer.online;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import io.tpostream.schema.ModelVersion;
import io.tpostream.schema.OffsetWindow;
import io.tpostream.schema.Sha256;
import io.tpostream.trainer.model.Checkpoint;
import io.tpostream.trainer.model.ModelInstance;
import io.tpostream.trainer.publish.ArtifactStore;
import io.tpostream.trainer.publish.Artifacts;
import io.tpostream.trainer.training.ImageResolver;
import io.tpostream.trainer.training.PreferenceConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Re-derives a published version from the topics and checks it bit for bit: the parent's checkpoint from the
 * artifact store, exactly the version's offset window of the pairs topic, the batches of its batch plan, its
 * recorded settings, the same {@link TrainingSession} the trainer ran, and the same checkpoint label. The result
 * must hash to the recorded artifact's SHA-256 (it does on a CPU with the recorded intra-op thread count, see
 * {@link IntraOpThreads}); if not, the first differing tensor is named.
 */
public final class ReplayAudit {

    /** What the audit found. */
    public record Result(ModelVersion version, boolean reproduced, String recordedSha256, String replayedSha256,
                         String difference, List<String> notes) {

        /** One line for people: REPRODUCED or MISMATCH and why, then any notes. */
        public String describe() {
            StringBuilder b = new StringBuilder();
            b.append(reproduced ? "REPRODUCED" : "MISMATCH").append(' ').append(version.getModelName()).append(" v")
                    .append(version.getVersion()).append(": ");
            b.append(reproduced ? "the replay hashes to the recorded " + recordedSha256
                    : "recorded " + recordedSha256 + ", replayed " + replayedSha256 + "; " + difference);
            notes.forEach(n -> b.append("\n  note: ").append(n));
            return b.toString();
        }
    }

    private final Map<String, Object> clientConfig;
    private final String versionsTopic;
    private final List<ArtifactStore> stores;
    private final Device device;
    private final Duration timeout;
    private final ImageResolver images;

    /** An audit of versions whose images were inline or local files. */
    public ReplayAudit(Map<String, Object> clientConfig, String versionsTopic, List<ArtifactStore> stores, Device device,
                       Duration timeout) {
        this(clientConfig, versionsTopic, stores, device, timeout, ImageResolver.localOnly());
    }

    /**
     * @param clientConfig  bootstrap servers and security settings
     * @param versionsTopic the model-versions topic
     * @param stores        where artifacts can be read
     * @param timeout       longest wait for a topic read
     * @param images        reads the pairs' images as the trainer did: a pair whose image the trainer fetched but
     *                      this audit may not (or no longer can) is quarantined here, and the replay differs
     */
    public ReplayAudit(Map<String, Object> clientConfig, String versionsTopic, List<ArtifactStore> stores, Device device,
                       Duration timeout, ImageResolver images) {
        this.clientConfig = Map.copyOf(clientConfig);
        this.versionsTopic = versionsTopic;
        this.stores = List.copyOf(stores);
        this.device = device;
        this.timeout = timeout;
        this.images = images;
    }

    /** Audits version {@code version} of {@code modelName}. */
    public Result audit(String modelName, long version) throws IOException {
        VersionHistory history = VersionHistory.read(clientConfig, versionsTopic, modelName, timeout);
        ModelVersion v = history.version(version).orElseThrow(() -> new IllegalArgumentException("model '" + modelName
                + "' has no version " + version + " on " + versionsTopic + " (versions: "
                + history.versions().stream().map(ModelVersion::getVersion).toList() + ")"));
        return audit(v, history);
    }

    /** Audits a version record, which may also be one made up to test the audit (an altered window). */
    public Result audit(ModelVersion v, VersionHistory history) throws IOException {
        return compare(v, replay(v, history));
    }

    /** The checkpoint bytes the version's training yields when done again. */
    public byte[] replay(ModelVersion v, VersionHistory history) throws IOException {
        if (v.getVersion() == 0) {
            throw new IllegalArgumentException("version 0 is the base model: it was not trained, there is nothing to replay");
        }
        ModelVersion parent = lookUp(history, v.getModelName(), v.getParentVersion(), "parent");
        ModelVersion reference = lookUp(history, v.getModelName(), v.getReferenceVersion(), "reference");
        byte[] parentBytes = Artifacts.readVerified(stores, parent.getArtifact());
        byte[] referenceBytes = Artifacts.readVerified(stores, reference.getArtifact());
        return retrain(v, parentBytes, parent.getVersion(), referenceBytes, readWindow(v.getTrainingWindow()), device,
                images);
    }

    private static ModelVersion lookUp(VersionHistory history, String model, long version, String role) {
        return history.version(version).orElseThrow(() -> new IllegalStateException("the " + role + " version "
                + version + " of model '" + model + "' is not on the model-versions topic"));
    }

    /**
     * Trains the version's batches again: the deterministic core of the audit, free of Kafka.
     *
     * @param parent        the checkpoint training continued from
     * @param parentVersion its version number (version 0 starts with fresh optimizer state)
     * @param reference     the frozen reference's checkpoint
     * @param window        each partition's records of the version's window, in offset order
     */
    public static byte[] retrain(ModelVersion v, byte[] parent, long parentVersion, byte[] reference,
                                 Map<Integer, List<PairRecord>> window, Device device) {
        return retrain(v, parent, parentVersion, reference, window, device, ImageResolver.localOnly());
    }

    /** As above, reading the pairs' images with {@code images}. */
    public static byte[] retrain(ModelVersion v, byte[] parent, long parentVersion, byte[] reference,
                                 Map<Integer, List<PairRecord>> window, Device device, ImageResolver images) {
        io.tpostream.trainer.model.GradMode.offOnThisThread();
        PreferenceConfig config = PreferenceConfig.fromDescription(v.getHyperParameters());
        StalenessBound staleness = StalenessBound.recordedIn(v.getHyperParameters());
        List<List<PairRecord>> batches = BatchPlan.rebuild(v.getBatchPlan(), window);
        try (ModelInstance frozen = ModelInstance.loadFrozen(reference, "reference", device);
             TrainingSession session = new TrainingSession(v.getModelName(), config, staleness, frozen, parent,
                     parentVersion, images)) {
            for (List<PairRecord> batch : batches) {
                session.train(batch, parentVersion);
            }
            return session.checkpoint(CheckpointLabel.of(v).toMap());
        } catch (IOException e) {
            throw new UncheckedIOException("the reference checkpoint is unreadable", e);
        }
    }

    /**
     * Reads exactly the window: per partition from {@code fromOffset} up to (not including) {@code untilOffset},
     * committed records only, as the trainer read them.
     */
    public Map<Integer, List<PairRecord>> readWindow(List<OffsetWindow> windows) {
        Map<Integer, List<PairRecord>> out = new TreeMap<>();
        if (windows.isEmpty()) {
            return out;
        }
        Map<String, Object> config = new HashMap<>(clientConfig);
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "none");
        config.remove(ConsumerConfig.GROUP_ID_CONFIG);
        Map<TopicPartition, OffsetWindow> byPartition = new HashMap<>();
        for (OffsetWindow w : windows) {
            byPartition.put(new TopicPartition(w.getTopic(), w.getPartition()), w);
            out.put(w.getPartition(), new ArrayList<>());
        }
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            consumer.assign(byPartition.keySet());
            Map<TopicPartition, Long> start = consumer.beginningOffsets(byPartition.keySet(), timeout);
            byPartition.forEach((tp, w) -> {
                if (start.get(tp) > w.getFromOffset()) {
                    throw new IllegalStateException(tp + " now starts at offset " + start.get(tp) + ": the window's "
                            + "records from " + w.getFromOffset() + " are gone (retention); this version cannot be replayed");
                }
                consumer.seek(tp, w.getFromOffset());
            });
            long deadline = System.nanoTime() + timeout.toNanos();
            List<TopicPartition> open = new ArrayList<>(byPartition.keySet());
            open.removeIf(tp -> consumer.position(tp) >= byPartition.get(tp).getUntilOffset());
            while (!open.isEmpty()) {
                if (System.nanoTime() > deadline) {
                    throw new org.apache.kafka.common.errors.TimeoutException("could not read the window of " + open
                            + " within " + timeout);
                }
                consumer.pause(byPartition.keySet().stream().filter(tp -> !open.contains(tp)).toList());
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    TopicPartition tp = new TopicPartition(r.topic(), r.partition());
                    if (r.offset() < byPartition.get(tp).getUntilOffset()) {
                        out.get(r.partition()).add(new PairRecord(tp, r.offset(), r.value()));
                    }
                }
                open.removeIf(tp -> consumer.position(tp) >= byPartition.get(tp).getUntilOffset());
            }
        }
        return out;
    }

    /** Compares replayed checkpoint bytes with the artifact the version records. */
    public Result compare(ModelVersion v, byte[] replayed) {
        String recordedSha = v.getArtifact().getSha256();
        String replayedSha = Sha256.hex(replayed);
        List<String> notes = new ArrayList<>();
        String recordedThreads = v.getHyperParameters().get(IntraOpThreads.KEY);
        int threads = IntraOpThreads.current();
        if (recordedThreads != null && !recordedThreads.equals(Integer.toString(threads))) {
            notes.add("the version was trained with " + recordedThreads + " intra-op thread(s), this replay ran "
                    + threads + ": float sums may differ (run both with -Dai.djl.pytorch.num_threads=1)");
        }
        if (replayedSha.equals(recordedSha)) {
            return new Result(v, true, recordedSha, replayedSha, null, notes);
        }
        return new Result(v, false, recordedSha, replayedSha, difference(v, replayed), notes);
    }

    private String difference(ModelVersion v, byte[] replayed) {
        byte[] recorded;
        try {
            recorded = Artifacts.readVerified(stores, v.getArtifact());
        } catch (IOException e) {
            return "the recorded artifact cannot be compared: " + e.getMessage();
        }
        try (NDManager scratch = NDManager.newBaseManager(Device.cpu())) {
            Optional<String> first = CheckpointDiff.firstDifference(
                    Checkpoint.read(new ByteArrayInputStream(recorded), scratch, v.getArtifact().getUri()),
                    Checkpoint.read(new ByteArrayInputStream(replayed), scratch, "replay"));
            return first.orElse("the checkpoints hold the same tensors and state but are not the same bytes");
        } catch (IOException e) {
            return "a checkpoint is unreadable: " + e.getMessage();
        }
    }
}
