package io.tpostream.ops.cli;

import io.tpostream.schema.AvroSerde;
import io.tpostream.schema.ModelVersion;
import io.tpostream.schema.VersionStatus;
import io.tpostream.trainer.online.OnlineTrainerConfig;
import io.tpostream.trainer.online.VersionHistory;
import io.tpostream.trainer.publish.VersionSignature;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "rollback",
        description = {"Serves an earlier PASSED version again: publishes a new version record (the next number,",
                "status PASSED) that points at the earlier version's artifact, so every subscriber swaps back.",
                "It writes with the model's transactional id, so a running trainer of the model is FENCED and stops;",
                "restart it afterwards and it continues from the rolled-back weights (pairs already consumed by the",
                "versions rolled back are not trained again: their windows stay in the record)."})
final class RollbackCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    KafkaOptions kafka;

    @Option(names = "--model", required = true, description = "The model to roll back.")
    String model;

    @Option(names = "--to-version", required = true, paramLabel = "V", description = "The PASSED version to serve again.")
    long toVersion;

    @Option(names = "--signing-key", paramLabel = "FILE",
            description = "Ed25519 private key (FILE.pub beside it) when subscribers require signed versions.")
    Path signingKey;

    @Override
    public Integer call() throws Exception {
        var config = kafka.clientSettings().clientConfig();
        VersionHistory history = VersionHistory.read(config, kafka.topics().modelVersions(), model, Duration.ofSeconds(60));
        ModelVersion target = history.version(toVersion).orElseThrow(() -> new IllegalArgumentException(
                "model " + model + " has no version " + toVersion + " (its versions: "
                        + history.versions().stream().map(v -> "v" + v.getVersion()).toList() + ")"));
        if (target.getStatus() != VersionStatus.PASSED) {
            throw new IllegalArgumentException("v" + toVersion + " was REJECTED (" + target.getStatusReason()
                    + "): only a PASSED version can be served again");
        }
        long next = history.latest().orElseThrow().getVersion() + 1;
        ModelVersion record = ModelVersion.newBuilder(target)
                .setVersion(next).setParentVersion(toVersion).setStatus(VersionStatus.PASSED)
                .setStatusReason("rollback to v" + toVersion + " by an operator")
                .setTrainingWindow(List.of()).setBatchPlan("").setPairs(0).setSteps(0).setQuarantinedPairs(List.of())
                .setCreatedAt(Instant.now()).setSignature(null).setSigningKeyId(null).build();
        if (signingKey != null) {
            KeyPair keys = VersionSignature.readKeyPair(signingKey);
            VersionSignature.sign(record, keys.getPrivate(), keys.getPublic());
        }
        java.util.Properties p = kafka.clientSettings().transactionalProducer(OnlineTrainerConfig.transactionalIdOf(model));
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer())) {
            producer.initTransactions(); // fences a running trainer of this model
            producer.beginTransaction();
            producer.send(new ProducerRecord<>(kafka.topics().modelVersions(), model, AvroSerde.of(ModelVersion.class).encode(record)));
            producer.commitTransaction();
        }
        spec.commandLine().getOut().println("published v" + next + " = v" + toVersion + " (artifact "
                + target.getArtifact().getSha256().substring(0, 16) + "...); a running trainer of " + model
                + " was fenced: restart it to continue from here");
        return 0;
    }
}
