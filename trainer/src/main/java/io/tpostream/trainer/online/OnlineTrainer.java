package io.tpostream.trainer.online;

import io.tpostream.schema.ModelVersion;
import io.tpostream.schema.Sha256;
import io.tpostream.trainer.model.ModelInstance;
import io.tpostream.trainer.publish.Artifacts;
import io.tpostream.trainer.training.ImageResolver;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.FencedInstanceIdException;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The long-running trainer of one model: consumes {@code tpo.pairs}, trains incrementally, and publishes versions.
 *
 * <p>Per version: the checkpoint goes to the content-addressed artifact store first; then ONE short transaction
 * produces the {@link ModelVersion} record, the token-reward traces, a dead letter for each quarantined pair, and
 * commits the consumed offsets. No
 * transaction is ever open while training. The transactional id is the model's, so a second trainer for the same
 * model fences this one. After any failure the trainer starts over the way a restarted process would: from the
 * latest PASSED checkpoint and the offsets committed with it, so no pair is lost or trained twice.
 */
public final class OnlineTrainer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(OnlineTrainer.class);
    private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration RESTART_PAUSE = Duration.ofSeconds(1);
    private static final long MAX_POLL_WAIT_MS = 200;

    /** Hears what the trainer does, e.g. for progress output. Called on the trainer's thread. */
    public interface Listener {
        default void trained(long totalSteps, Map<String, Double> metrics) {
        }

        default void published(ModelVersion version, long publishMillis) {
        }

        default void restarting(Throwable cause) {
        }
    }

    /**
     * Kafka refused this trainer: wrong or missing credentials, or an ACL it needs is missing. Retrying cannot help
     * until an operator changes the credentials or ACLs, so the trainer stops and says what it needs.
     */
    public static final class AccessDeniedException extends RuntimeException {
        AccessDeniedException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** This trainer was fenced: another trainer of the same model took over. */
    public static final class FencedException extends RuntimeException {
        FencedException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private final OnlineTrainerConfig config;
    private final Listener listener;
    private final CountDownLatch stopped = new CountDownLatch(1);
    /** Outlives restarts: images fetched once stay cached. */
    private final ImageResolver images;
    private volatile KafkaConsumer<byte[], byte[]> consumer;

    public OnlineTrainer(OnlineTrainerConfig config, Listener listener) {
        this.config = config;
        this.listener = listener;
        this.images = new ImageResolver(config.images());
    }

    /**
     * Trains until {@link #close()} is called. Transient failures (Kafka errors, an unreachable artifact store)
     * restart it from its last published version; anything else (bad configuration, a tampered checkpoint)
     * propagates.
     *
     * @throws FencedException if another trainer of the same model took over
     */
    public void run() {
        io.tpostream.trainer.model.GradMode.offOnThisThread();
        while (running()) {
            try {
                runOnce();
            } catch (RuntimeException e) {
                if (isFenced(e)) {
                    throw new FencedException("another trainer of model '" + config.modelName()
                            + "' took over (same transactional id " + config.transactionalId() + "); this one stops", e);
                }
                if (!running()) {
                    return; // a failure caused by close() is no failure
                }
                if (isAccessDenied(e)) {
                    throw new AccessDeniedException("Kafka refused the trainer of model '" + config.modelName() + "': "
                            + innermostMessage(e) + ". It needs valid credentials and these ACLs: READ on topic "
                            + config.topics().pairs() + " and group " + config.consumerGroup() + "; READ and WRITE on "
                            + config.topics().modelVersions() + "; WRITE on " + config.topics().tokenRewards()
                            + " and " + config.topics().deadLetters()
                            + "; WRITE and DESCRIBE on transactional id " + config.transactionalId(), e);
                }
                if (!(e instanceof KafkaException || e instanceof UncheckedIOException)) {
                    throw e;
                }
                LOG.warn("trainer of {} restarts from its last published version: {}", config.modelName(), e.toString());
                listener.restarting(e);
                awaitStop(RESTART_PAUSE);
            }
        }
    }

    static boolean isFenced(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c instanceof ProducerFencedException || c instanceof InvalidProducerEpochException
                    || c instanceof FencedInstanceIdException) {
                return true;
            }
        }
        return false;
    }

    /** Authentication failed or an ACL is missing: not transient, unlike a broker that is away. */
    static boolean isAccessDenied(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c instanceof AuthenticationException || c instanceof AuthorizationException) {
                return true;
            }
        }
        return false;
    }

    private static String innermostMessage(Throwable t) {
        String message = t.getMessage();
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c.getMessage() != null) {
                message = c.getMessage();
            }
        }
        return message == null ? t.getClass().getSimpleName() : message.replaceAll("\\.+$", "");
    }

    private boolean running() {
        return stopped.getCount() > 0;
    }

    private void awaitStop(Duration d) {
        try {
            stopped.await(d.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            close();
        }
    }

    /** One life of the trainer: recover, then train and publish until stopped or something fails. */
    private void runOnce() {
        try (KafkaProducer<String, byte[]> producer = TrainerClients.producer(config)) {
            producer.initTransactions(); // fences any older trainer of this model and aborts its open transaction
            VersionHistory history = VersionHistory.read(config.clientConfig(), config.topics().modelVersions(),
                    config.modelName(), STARTUP_TIMEOUT);
            byte[] baseBytes = readBase(history);
            try (ModelInstance reference = loadFrozen(baseBytes)) {
                PromotionGate gate = new PromotionGate(config.gate(), reference.config().vision().imageSize());
                VersionPublisher publisher = new VersionPublisher(config, producer, gate);
                Lineage lineage;
                if (history.latestPassed().isPresent()) {
                    lineage = resume(history);
                } else {
                    VersionPublisher.Published v0 = publisher.publishBase(baseBytes, reference);
                    listener.published(v0.version(), v0.millis());
                    lineage = new Lineage(v0.version(), baseBytes, 0);
                }
                try (TrainingSession session = new TrainingSession(config.modelName(), config.training(),
                        config.staleness(), reference, lineage.passedBytes(), lineage.passed().getVersion(),
                        images)) {
                    long nonFinite = session.nonFiniteWeights();
                    if (nonFinite > 0) {
                        LOG.warn("{}: v{} holds {} NaN or infinite weights; every pair that touches them will be "
                                + "quarantined", config.modelName(), lineage.passed().getVersion(), nonFinite);
                    }
                    consume(publisher, session, lineage);
                }
            }
        }
    }

    /** The base checkpoint; on a restart it must still be the model's version 0, or the reference would change. */
    private byte[] readBase(VersionHistory history) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(config.basePath());
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read the base model " + config.basePath() + ": " + e, e);
        }
        history.version(0).ifPresent(v0 -> {
            String sha = Sha256.hex(bytes);
            if (!sha.equals(v0.getArtifact().getSha256())) {
                throw new IllegalArgumentException("the base model " + config.basePath() + " (sha-256 " + sha
                        + ") is not version 0 of model '" + config.modelName() + "' (" + v0.getArtifact().getSha256()
                        + "): the reference of a model never changes; train a new model name instead");
            }
        });
        return bytes;
    }

    private ModelInstance loadFrozen(byte[] checkpoint) {
        try {
            return ModelInstance.loadFrozen(checkpoint, config.basePath().toString(), config.device());
        } catch (IOException e) {
            throw new IllegalArgumentException(config.basePath() + " is not a checkpoint: " + e.getMessage(), e);
        }
    }

    private Lineage resume(VersionHistory history) {
        ModelVersion passed = history.latestPassed().orElseThrow();
        long last = history.latest().orElseThrow().getVersion();
        byte[] bytes;
        try {
            bytes = Artifacts.readVerified(List.of(config.artifacts()), passed.getArtifact());
        } catch (Artifacts.TamperedArtifactException e) {
            throw new IllegalStateException("v" + passed.getVersion() + ": " + e.getMessage()
                    + ": refusing to continue training from it", e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the checkpoint of v" + passed.getVersion(), e);
        }
        LOG.info("{}: resuming from v{} (latest version v{})", config.modelName(), passed.getVersion(), last);
        return new Lineage(passed, bytes, last);
    }

    /** Polls pairs into a queue, trains micro-batches and publishes a version whenever one is due. */
    private void consume(VersionPublisher publisher, TrainingSession session, Lineage lineage) {
        ArrayDeque<ConsumerRecord<byte[], byte[]>> queue = new ArrayDeque<>();
        boolean[] rebalanced = {false};
        TrainingWindow[] current = {new TrainingWindow()};
        try (KafkaConsumer<byte[], byte[]> c = TrainerClients.consumer(config)) {
            consumer = c;
            if (!running()) {
                return;
            }
            c.subscribe(List.of(config.topics().pairs()), new ConsumerRebalanceListener() {
                @Override
                public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                    rebalanced[0] |= !partitions.isEmpty();
                }

                @Override
                public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                    if (!rebalanced[0] && current[0].isEmpty() && queue.isEmpty()) {
                        // nothing read yet (the first assignment): the window starts at the committed positions
                        partitions.forEach(tp -> current[0].startAt(tp, c.position(tp)));
                    } else {
                        rebalanced[0] |= !partitions.isEmpty();
                    }
                }
            });
            TrainingWindow window = current[0];
            long windowOpened = 0;
            while (running()) {
                if (rebalanced[0]) {
                    rebalanced[0] = false;
                    window = restartWindow(c, session, lineage, queue, !window.isEmpty());
                    current[0] = window;
                    windowOpened = 0;
                }
                if (queue.size() >= config.maxQueuedPairs()) {
                    c.pause(c.assignment());
                } else if (!c.paused().isEmpty()) {
                    c.resume(c.paused());
                }
                long wait = queue.size() >= config.batchSize() ? 0 : windowOpened == 0 ? MAX_POLL_WAIT_MS
                        : Math.max(0, Math.min(MAX_POLL_WAIT_MS, (windowOpened + config.publishEvery().toNanos()
                                - System.nanoTime()) / 1_000_000));
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(wait))) {
                    queue.add(r);
                }
                if (rebalanced[0]) {
                    continue; // what this poll returned may belong to a discarded window
                }
                if (windowOpened == 0 && !queue.isEmpty()) {
                    windowOpened = System.nanoTime();
                }
                while (queue.size() >= config.batchSize() && window.steps() < config.publishEverySteps() && running()) {
                    trainBatch(session, lineage, queue, config.batchSize(), window);
                }
                boolean due = window.steps() >= config.publishEverySteps()
                        || (windowOpened != 0 && System.nanoTime() - windowOpened >= config.publishEvery().toNanos());
                if (due && running()) {
                    if (!queue.isEmpty() && window.steps() < config.publishEverySteps()) {
                        trainBatch(session, lineage, queue, Math.min(config.batchSize(), queue.size()), window);
                    }
                    if (!window.isEmpty()) {
                        VersionPublisher.Published p = publisher.publish(session, window, lineage, c.groupMetadata());
                        LOG.info("{} v{} {} ({} pairs, {} steps) in {} ms{}", config.modelName(),
                                p.version().getVersion(), p.version().getStatus(), p.version().getPairs(),
                                p.version().getSteps(), p.millis(),
                                p.version().getStatusReason() == null ? "" : ": " + p.version().getStatusReason());
                        if (Lineage.worthAWarning(lineage.rejectedInARow())) {
                            LOG.warn("{}: the gate rejected the last {} candidates; v{} stays served and what the "
                                            + "rejected windows taught is dropped. Common causes: a learning rate too "
                                            + "high for a long run, or feedback that teaches one skill at the cost of "
                                            + "another (captions only, no questions); see ops/online-training.md",
                                    config.modelName(), lineage.rejectedInARow(), lineage.passed().getVersion());
                        }
                        listener.published(p.version(), p.millis());
                        window = window.next();
                        current[0] = window;
                    }
                    windowOpened = queue.isEmpty() ? 0 : System.nanoTime();
                }
            }
        } catch (WakeupException e) {
            if (running()) {
                throw e;
            }
        } finally {
            consumer = null;
        }
    }

    /**
     * After a rebalance this trainer may no longer own partitions it trained on: the unpublished window and the
     * queue are dropped, the policy goes back to the last published weights, and every partition it owns now is
     * read again from the offsets committed with the last version.
     */
    private TrainingWindow restartWindow(KafkaConsumer<byte[], byte[]> c, TrainingSession session, Lineage lineage,
                                         ArrayDeque<ConsumerRecord<byte[], byte[]>> queue, boolean trainedSome) {
        if (trainedSome) {
            LOG.info("{}: partitions were reassigned; the unpublished window is dropped and retrained",
                    config.modelName());
            session.resetTo(lineage.passedBytes(), lineage.passed().getVersion());
        }
        queue.clear();
        TrainingWindow window = new TrainingWindow();
        Set<TopicPartition> owned = c.assignment();
        Map<TopicPartition, OffsetAndMetadata> committed = c.committed(owned);
        List<TopicPartition> fresh = new ArrayList<>();
        for (TopicPartition tp : owned) {
            OffsetAndMetadata at = committed.get(tp);
            if (at == null) {
                fresh.add(tp);
            } else {
                c.seek(tp, at.offset());
                window.startAt(tp, at.offset());
            }
        }
        if (!fresh.isEmpty()) {
            c.seekToBeginning(fresh);
            fresh.forEach(tp -> window.startAt(tp, c.position(tp)));
        }
        return window;
    }

    private void trainBatch(TrainingSession session, Lineage lineage, ArrayDeque<ConsumerRecord<byte[], byte[]>> queue,
                            int size, TrainingWindow window) {
        List<PairRecord> batch = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            ConsumerRecord<byte[], byte[]> r = queue.poll();
            batch.add(new PairRecord(new TopicPartition(r.topic(), r.partition()), r.offset(), r.value()));
        }
        batch = BatchPlan.canonical(batch);
        // the window's parent: the last PASSED version, which the session's weights are until the next publish
        TrainingSession.BatchResult result = session.train(batch, lineage.passed().getVersion());
        window.addBatch(batch);
        window.skipOtherModels(result.otherModels());
        window.skipStale(result.stale());
        result.unusable().forEach((id, reason) -> window.quarantine(id, reason, result.records().get(id)));
        result.sourceTimes().forEach(window::sawSourceTime);
        if (result.step() != null) {
            result.step().quarantined()
                    .forEach((id, reason) -> window.quarantine(id, reason, result.records().get(id)));
            window.addStep(result.step().metrics(), result.step().trained().size());
            if (config.traceTokens()) {
                window.addTraces(result.step().traces());
            }
            listener.trained(session.steps(), result.step().metrics());
        }
        CrashPoint.reached("after-step");
    }

    /** Stops the trainer at its next poll; a window in progress is not published (its pairs will be trained again). */
    @Override
    public void close() {
        stopped.countDown();
        KafkaConsumer<byte[], byte[]> c = consumer;
        if (c != null) {
            c.wakeup();
        }
    }
}
