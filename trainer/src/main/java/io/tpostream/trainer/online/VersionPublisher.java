package io.tpostream.trainer.online;

import io.tpostream.schema.Artifact;
import io.tpostream.schema.AvroSerde;
import io.tpostream.schema.DeadLetter;
import io.tpostream.schema.ModelVersion;
import io.tpostream.schema.TokenRewardTrace;
import io.tpostream.schema.VersionStatus;
import io.tpostream.trainer.model.Checkpoint;
import io.tpostream.trainer.model.ModelInstance;
import io.tpostream.trainer.publish.ArtifactStore;
import io.tpostream.trainer.publish.VersionSignature;
import io.tpostream.trainer.training.PairTrace;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Turns a trained window into a published version: checkpoint into the artifact store, the promotion gate's
 * verdict, then ONE short transaction with the version record, the token traces, the dead letters of the
 * quarantined pairs and the consumed offsets.
 */
final class VersionPublisher {

    /** A published version and how long publishing took (checkpoint, gate and transaction). */
    record Published(ModelVersion version, long millis) {
    }

    private final OnlineTrainerConfig config;
    private final KafkaProducer<String, byte[]> producer;
    private final PromotionGate gate;
    private final AvroSerde<ModelVersion> versionSerde = AvroSerde.of(ModelVersion.class);
    private final AvroSerde<TokenRewardTrace> traceSerde = AvroSerde.of(TokenRewardTrace.class);
    private final AvroSerde<DeadLetter> deadLetterSerde = AvroSerde.of(DeadLetter.class);

    VersionPublisher(OnlineTrainerConfig config, KafkaProducer<String, byte[]> producer, PromotionGate gate) {
        this.config = config;
        this.producer = producer;
        this.gate = gate;
    }

    /** First start of a model: its base becomes version 0, measured by the gate so later versions have a baseline. */
    Published publishBase(byte[] baseBytes, ModelInstance base) {
        long started = System.nanoTime();
        ArtifactStore.StoredArtifact stored = store(baseBytes, 0);
        Map<String, Double> metrics = new LinkedHashMap<>(gate.measure(base));
        metrics.putAll(PromotionGate.bestsAfter(Map.of(), metrics));
        ModelVersion v0 = record(0, -1, stored, VersionStatus.PASSED, null, new TrainingWindow(), metrics, 0);
        producer.beginTransaction();
        producer.send(new ProducerRecord<>(config.topics().modelVersions(), config.modelName(), versionSerde.encode(v0)));
        producer.commitTransaction();
        return new Published(v0, (System.nanoTime() - started) / 1_000_000);
    }

    /**
     * Publishes the window as the next version. Afterwards the lineage knows the version; if it was REJECTED the
     * session is back on the last PASSED weights.
     */
    Published publish(TrainingSession session, TrainingWindow window, Lineage lineage, ConsumerGroupMetadata group) {
        long started = System.nanoTime();
        long version = lineage.nextVersion();
        long parent = lineage.passed().getVersion();
        byte[] bytes = session.checkpoint(new CheckpointLabel(config.modelName(), version, parent, 0, config.seed()).toMap());
        ArtifactStore.StoredArtifact stored = store(bytes, version);
        CrashPoint.reached("after-artifact");
        long checkpointed = System.nanoTime();

        Map<String, Double> metrics = new LinkedHashMap<>(window.meanMetrics());
        String problem;
        long nonFinite = session.nonFiniteWeights();
        metrics.put("weights/non_finite", (double) nonFinite);
        if (session.trainingMadeWeightsNonFinite()) {
            problem = "training made weights non-finite (" + nonFinite + " now): this candidate is never served";
        } else {
            Map<String, Double> evaluation = gate.measure(session.policy());
            metrics.putAll(evaluation);
            problem = gate.verdict(lineage.passed().getMetrics(), evaluation).orElse(null);
            if (problem == null) {
                metrics.putAll(PromotionGate.bestsAfter(lineage.passed().getMetrics(), evaluation));
            }
        }
        long gated = System.nanoTime();
        // what a version costs beside training: writing its checkpoint and evaluating it (the transaction's own time
        // is the rest of Published.millis)
        metrics.put("publish/checkpoint_ms", (checkpointed - started) / 1e6);
        metrics.put("publish/gate_ms", (gated - checkpointed) / 1e6);
        VersionStatus status = problem == null ? VersionStatus.PASSED : VersionStatus.REJECTED;
        ModelVersion record = record(version, parent, stored, status, problem, window, metrics, session.steps());

        producer.beginTransaction();
        producer.send(new ProducerRecord<>(config.topics().modelVersions(), config.modelName(), versionSerde.encode(record)));
        String objective = config.training().loss().objective().configName();
        for (PairTrace trace : window.traces()) {
            producer.send(new ProducerRecord<>(config.topics().tokenRewards(), trace.pairId(), traceSerde.encode(
                    TraceRecords.of(trace, config.modelName(), version, objective, record.getCreatedAt()))));
        }
        // in the version's transaction: a dead letter exists exactly when its pair's window was published
        window.quarantined().forEach((id, reason) -> producer.send(new ProducerRecord<>(config.topics().deadLetters(),
                id, deadLetterSerde.encode(PairDeadLetters.of(id, reason, window.quarantinedRecord(id),
                        config.modelName(), version, record.getCreatedAt())))));
        producer.sendOffsetsToTransaction(window.commitOffsets(), group);
        CrashPoint.reached("before-commit");
        producer.commitTransaction();
        CrashPoint.reached("after-commit");

        lineage.published(record, bytes);
        if (status == VersionStatus.REJECTED) {
            session.resetTo(lineage.passedBytes(), lineage.passed().getVersion());
        }
        return new Published(record, (System.nanoTime() - started) / 1_000_000);
    }

    private ArtifactStore.StoredArtifact store(byte[] bytes, long version) {
        try {
            return config.artifacts().put(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot store the checkpoint of v" + version, e);
        }
    }

    private ModelVersion record(long version, long parent, ArtifactStore.StoredArtifact stored, VersionStatus status,
                                String reason, TrainingWindow window, Map<String, Double> metrics, long totalSteps) {
        Instant now = Instant.now();
        Map<String, Double> all = new LinkedHashMap<>(metrics);
        all.putAll(window.counts());
        if (window.latestSourceMillis() != Long.MIN_VALUE) {
            all.put("freshness/newest_pair_s", (now.toEpochMilli() - window.latestSourceMillis()) / 1000.0);
            all.put("freshness/oldest_pair_s", (now.toEpochMilli() - window.earliestSourceMillis()) / 1000.0);
        }
        Map<String, String> hyper = new LinkedHashMap<>(config.training().describe());
        hyper.put("batch_size", Integer.toString(config.batchSize()));
        hyper.put("publish_every_steps", Integer.toString(config.publishEverySteps()));
        hyper.put("publish_every_seconds", Double.toString(config.publishEvery().toMillis() / 1000.0));
        hyper.put(StalenessBound.KEY, config.staleness().describe());
        hyper.put("total_steps", Long.toString(totalSteps));
        hyper.put("device", config.device().toString());
        hyper.put(IntraOpThreads.KEY, Integer.toString(IntraOpThreads.current()));
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
}
