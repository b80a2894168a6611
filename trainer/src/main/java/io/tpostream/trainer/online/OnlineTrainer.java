package io.tpostream.trainer.online;

import io.tpostream.schema.Artifact;
import io.tpostream.schema.AvroSerde;
import io.tpostream.schema.ModelVersion;
import io.tpostream.schema.Sha256;
import io.tpostream.schema.TokenRewardTrace;
import io.tpostream.schema.VersionStatus;
import io.tpostream.trainer.model.Checkpoint;
import io.tpostream.trainer.model.ModelInstance;
import io.tpostream.trainer.publish.ArtifactStore;
import io.tpostream.trainer.publish.VersionSignature;
import io.tpostream.trainer.training.PairTrace;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The long-running trainer of one model: consumes {@code tpo.pairs}, trains incrementally, and publishes versions.
 *
 * <p>Per version: the checkpoint goes to the content-addressed artifact store first; then ONE short transaction
 * produces the {@link ModelVersion} record, the token-reward traces, and commits the consumed offsets. No
 * transaction is ever open while training. The transactional id is the model's, so a second trainer for the same
 * model fences this one. After any failure the trainer starts over the way a restarted process would: from the
 * latest PASSED checkpoint and the offsets committed with it, so no pair is lost or trained twice.
 */
public final class OnlineTrainer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(OnlineTrainer.class);
    private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(60);

    /** Hears what the trainer does, e.g. for progress output. */
    public interface Listener {
        default void trained(long totalSteps, Map<String, Double> metrics) {
        }

        default void published(ModelVersion version, long publishMillis) {
        }

        default void restarting(Throwable cause) {
        }
    }

    private final OnlineTrainerConfig config;
    private final Listener listener;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AvroSerde<ModelVersion> versionSerde = AvroSerde.of(ModelVersion.class);
    private final AvroSerde<TokenRewardTrace> traceSerde = AvroSerde.of(TokenRewardTrace.class);
    private volatile KafkaConsumer<byte[], byte[]> consumer;
    private volatile boolean fenced;

    public OnlineTrainer(OnlineTrainerConfig config, Listener listener) {
        this.config = config;
        this.listener = listener;
    }

    /**
     * Trains until {@link #close()} is called or another trainer fences this one.
     *
     * @throws ProducerFencedException if another trainer for the same model took over
     */
    public void run() {
        while (running.get()) {
            try {
                runOnce();
            } catch (ProducerFencedException | InvalidProducerEpochException e) {
                fenced = true;
                throw new ProducerFencedException("another trainer for model '" + config.modelName()
                        + "' took over (same transactional id " + config.transactionalId() + "); this one stops");
            } catch (WakeupException e) {
                if (running.get()) {
                    throw e;
                }
            } catch (KafkaException | IllegalStateException | UncheckedIOException e) {
                if (!running.get()) {
                    return;
                }
                LOG.warn("trainer for {} restarts from its last published version: {}", config.modelName(), e.toString());
                listener.restarting(e);
                sleepQuietly(Duration.ofSeconds(1));
            }
        }
    }

    public boolean fenced() {
        return fenced;
    }

    /** One life of the trainer: recover, then train and publish until stopped or something fails. */
    private void runOnce() {
        try (KafkaProducer<String, byte[]> producer = newProducer()) {
            producer.initTransactions();
            VersionHistory history = VersionHistory.read(config.clientConfig(), config.topics().modelVersions(),
                    config.modelName(), STARTUP_TIMEOUT);
            try (ModelInstance reference = ModelInstance.load(config.basePath(), config.device()).frozenCopy()) {
                PromotionGate gate = new PromotionGate(config.gate(), reference.config().vision().imageSize());
                State state = history.latestPassed().isPresent()
                        ? resume(history)
                        : publishBase(producer, reference, gate);
                try (TrainingSession session = new TrainingSession(config.modelName(), config.training(), reference,
                        state.passedBytes, config.device())) {
                    loop(producer, session, gate, state);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** The model's lineage as far as this process knows it. */
    private static final class State {
        ModelVersion passed;
        byte[] passedBytes;
        long lastVersion;
    }

    private State resume(VersionHistory history) throws IOException {
        State s = new State();
        s.passed = history.latestPassed().orElseThrow();
        s.lastVersion = history.latest().orElseThrow().getVersion();
        s.passedBytes = fetchVerified(s.passed);
        LOG.info("{}: resuming from v{} (latest version v{})", config.modelName(), s.passed.getVersion(), s.lastVersion);
        return s;
    }

    private byte[] fetchVerified(ModelVersion v) throws IOException {
        byte[] bytes;
        try (InputStream in = config.artifacts().open(v.getArtifact().getUri())) {
            bytes = in.readAllBytes();
        }
        String sha = Sha256.hex(bytes);
        if (!sha.equals(v.getArtifact().getSha256())) {
            throw new IllegalStateException("artifact of v" + v.getVersion() + " hashes to " + sha + ", not "
                    + v.getArtifact().getSha256() + ": refusing to continue training from it");
        }
        return bytes;
    }

    /** First start of a model: its base becomes version 0, measured by the gate so later versions have a baseline. */
    private State publishBase(KafkaProducer<String, byte[]> producer, ModelInstance reference, PromotionGate gate)
            throws IOException {
        byte[] bytes = Files.readAllBytes(config.basePath());
        ArtifactStore.StoredArtifact stored = config.artifacts().put(bytes);
        Map<String, Double> metrics = new LinkedHashMap<>(gate.measure(reference));
        ModelVersion v0 = record(0, -1, stored, VersionStatus.PASSED, null, new TrainingWindow(), metrics, 0);
        producer.beginTransaction();
        producer.send(new ProducerRecord<>(config.topics().modelVersions(), config.modelName(), versionSerde.encode(v0)));
        producer.commitTransaction();
        listener.published(v0, 0);
        State s = new State();
        s.passed = v0;
        s.passedBytes = bytes;
        s.lastVersion = 0;
        return s;
    }

    private void loop(KafkaProducer<String, byte[]> producer, TrainingSession session, PromotionGate gate, State state) {
        ArrayDeque<ConsumerRecord<byte[], byte[]>> queue = new ArrayDeque<>();
        TrainingWindow[] window = {new TrainingWindow()};
        boolean[] revoked = {false};
        try (KafkaConsumer<byte[], byte[]> c = newConsumer()) {
            consumer = c;
            if (!running.get()) {
                return;
            }
            c.subscribe(List.of(config.topics().pairs()), new ConsumerRebalanceListener() {
                @Override
                public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                    if (!partitions.isEmpty()) {
                        revoked[0] = true;
                    }
                }

                @Override
                public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                    partitions.forEach(tp -> window[0].startAt(tp, c.position(tp)));
                }
            });
            long windowOpened = 0;
            while (running.get()) {
                if (revoked[0]) {
                    // what was trained since the last version belongs to offsets this trainer may no longer commit
                    throw new IllegalStateException("partitions were revoked mid-window");
                }
                if (queue.size() >= config.maxQueuedPairs()) {
                    c.pause(c.assignment());
                } else if (!c.paused().isEmpty()) {
                    c.resume(c.paused());
                }
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(queue.isEmpty() ? 200 : 0))) {
                    queue.add(r);
                }
                if (windowOpened == 0 && !queue.isEmpty()) {
                    windowOpened = System.nanoTime();
                }
                while (queue.size() >= config.batchSize() && window[0].steps() < config.publishEverySteps()) {
                    trainBatch(session, queue, config.batchSize(), window[0]);
                }
                boolean due = window[0].steps() >= config.publishEverySteps()
                        || (windowOpened != 0 && System.nanoTime() - windowOpened >= config.publishEvery().toNanos());
                if (due) {
                    if (!queue.isEmpty() && window[0].steps() < config.publishEverySteps()) {
                        trainBatch(session, queue, Math.min(config.batchSize(), queue.size()), window[0]);
                    }
                    if (!window[0].isEmpty()) {
                        publish(producer, c, session, gate, state, window[0]);
                        window[0] = window[0].next();
                    }
                    windowOpened = queue.isEmpty() ? 0 : System.nanoTime();
                }
            }
        } finally {
            consumer = null;
        }
    }

    private void trainBatch(TrainingSession session, ArrayDeque<ConsumerRecord<byte[], byte[]>> queue, int size,
                            TrainingWindow window) {
        List<PairRecord> batch = new ArrayList<>(size);
        List<TopicPartition> partitions = new ArrayList<>(size);
        List<Long> offsets = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            ConsumerRecord<byte[], byte[]> r = queue.poll();
            TopicPartition tp = new TopicPartition(r.topic(), r.partition());
            batch.add(new PairRecord(tp, r.offset(), r.value()));
            partitions.add(tp);
            offsets.add(r.offset());
        }
        TrainingSession.BatchResult result = session.train(batch);
        window.addBatch(partitions, offsets);
        for (int i = 0; i < result.skipped(); i++) {
            window.skip();
        }
        result.unusable().forEach(window::quarantine);
        result.sourceTimes().forEach(window::sawSourceTime);
        if (result.step() != null) {
            result.step().quarantined().forEach(window::quarantine);
            window.addStep(result.step().metrics(), result.step().trained().size());
            if (config.traceTokens()) {
                window.addTraces(result.step().traces());
            }
            listener.trained(session.steps(), result.step().metrics());
        }
    }

    private void publish(KafkaProducer<String, byte[]> producer, KafkaConsumer<byte[], byte[]> c,
                         TrainingSession session, PromotionGate gate, State state, TrainingWindow window) {
        long started = System.nanoTime();
        long version = state.lastVersion + 1;
        byte[] bytes = session.checkpoint(trainerState(version, state.passed.getVersion()));
        ArtifactStore.StoredArtifact stored;
        try {
            stored = config.artifacts().put(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot store the checkpoint of v" + version, e);
        }
        Map<String, Double> metrics = new LinkedHashMap<>(window.meanMetrics());
        String problem;
        if (!session.weightsFinite()) {
            problem = "non-finite weights: this candidate is never served";
        } else {
            Map<String, Double> evaluation = gate.measure(session.policy());
            metrics.putAll(evaluation);
            problem = gate.verdict(evalOnly(state.passed.getMetrics()), evaluation).orElse(null);
        }
        VersionStatus status = problem == null ? VersionStatus.PASSED : VersionStatus.REJECTED;
        ModelVersion record = record(version, state.passed.getVersion(), stored, status, problem, window, metrics,
                session.steps());

        producer.beginTransaction();
        producer.send(new ProducerRecord<>(config.topics().modelVersions(), config.modelName(), versionSerde.encode(record)));
        for (PairTrace trace : window.traces()) {
            producer.send(new ProducerRecord<>(config.topics().tokenRewards(), trace.pairId(), traceSerde.encode(
                    TraceRecords.of(trace, config.modelName(), version, config.training().loss().objective().configName(),
                            record.getCreatedAt()))));
        }
        producer.sendOffsetsToTransaction(window.commitOffsets(), c.groupMetadata());
        producer.commitTransaction();

        state.lastVersion = version;
        if (status == VersionStatus.PASSED) {
            state.passed = record;
            state.passedBytes = bytes;
        } else {
            session.resetTo(state.passedBytes);
        }
        long millis = (System.nanoTime() - started) / 1_000_000;
        LOG.info("{} v{} {} ({} pairs, {} steps) in {} ms{}", config.modelName(), version, status,
                window.trainedPairs(), window.steps(), millis, problem == null ? "" : ": " + problem);
        listener.published(record, millis);
    }

    private static Map<String, Double> evalOnly(Map<String, Double> metrics) {
        Map<String, Double> out = new HashMap<>();
        metrics.forEach((k, v) -> {
            if (k.startsWith("eval/")) {
                out.put(k, v);
            }
        });
        return out;
    }

    /** What a version's checkpoint says about itself; no wall-clock time, so a replay writes the same bytes. */
    Map<String, String> trainerState(long version, long parent) {
        Map<String, String> s = new LinkedHashMap<>();
        s.put("model", config.modelName());
        s.put("version", Long.toString(version));
        s.put("parent_version", Long.toString(parent));
        s.put("reference_version", "0");
        s.put("seed", Long.toString(config.seed()));
        return s;
    }

    private ModelVersion record(long version, long parent, ArtifactStore.StoredArtifact stored, VersionStatus status,
                                String reason, TrainingWindow window, Map<String, Double> metrics, long steps) {
        Instant now = Instant.now();
        Map<String, Double> all = new LinkedHashMap<>(metrics);
        all.put("window/records", (double) window.records());
        all.put("window/pairs_trained", (double) window.trainedPairs());
        all.put("window/pairs_other_models", (double) window.skipped());
        all.put("window/pairs_quarantined", (double) window.quarantined().size());
        if (window.latestSourceMillis() != Long.MIN_VALUE) {
            all.put("freshness/newest_pair_s", (now.toEpochMilli() - window.latestSourceMillis()) / 1000.0);
            all.put("freshness/oldest_pair_s", (now.toEpochMilli() - window.earliestSourceMillis()) / 1000.0);
        }
        Map<String, String> hyper = new LinkedHashMap<>(config.training().describe());
        hyper.put("batch_size", Integer.toString(config.batchSize()));
        hyper.put("publish_every_steps", Integer.toString(config.publishEverySteps()));
        hyper.put("publish_every_seconds", Double.toString(config.publishEvery().toMillis() / 1000.0));
        hyper.put("total_steps", Long.toString(steps));
        ModelVersion v = ModelVersion.newBuilder()
                .setModelName(config.modelName()).setVersion(version).setParentVersion(parent).setReferenceVersion(0)
                .setArtifact(new Artifact(stored.uri(), stored.sha256(), stored.sizeBytes(), Checkpoint.FORMAT))
                .setStatus(status).setStatusReason(reason)
                .setTrainingWindow(window.offsetWindows()).setBatchPlan(window.batchPlan())
                .setPairs(window.trainedPairs()).setSteps(window.steps())
                .setObjective(config.training().loss().objective().configName())
                .setHyperParameters(hyper).setSeed(config.seed()).setMetrics(all)
                .setQuarantinedPairs(window.quarantined().entrySet().stream().map(e -> e.getKey() + " " + e.getValue()).toList())
                .setCreatedAt(now).build();
        if (config.signingKey() != null) {
            VersionSignature.sign(v, config.signingKey().getPrivate(), config.signingKey().getPublic());
        }
        return v;
    }

    private KafkaProducer<String, byte[]> newProducer() {
        Map<String, Object> p = new HashMap<>(config.clientConfig());
        p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, config.transactionalId());
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, 60_000);
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 16 << 20);
        return new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
    }

    private KafkaConsumer<byte[], byte[]> newConsumer() {
        Map<String, Object> p = new HashMap<>(config.clientConfig());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, config.consumerGroup());
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, config.maxQueuedPairs());
        p.put(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, 300_000);
        return new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    private static void sleepQuietly(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Stops the trainer at its next poll; a window in progress is not published (its pairs will be trained again). */
    @Override
    public void close() {
        running.set(false);
        KafkaConsumer<byte[], byte[]> c = consumer;
        if (c != null) {
            c.wakeup();
        }
    }
}
