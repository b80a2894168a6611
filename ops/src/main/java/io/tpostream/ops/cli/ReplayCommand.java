package io.tpostream.ops.cli;

import io.tpostream.trainer.model.Devices;
import io.tpostream.trainer.online.ReplayAudit;
import io.tpostream.trainer.publish.LocalArtifactStore;
import io.tpostream.trainer.training.ImageResolver;
import picocli.CommandLine.Command;
import picocli.CommandLine.Help;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "replay",
        description = {
                "Audits a model version: retrains it from its parent's checkpoint on exactly its offset window of "
                        + "the pairs topic, with its recorded batch plan and settings, and compares the result with "
                        + "the recorded artifact.",
                "Prints REPRODUCED (exit 0) when the sha-256 matches, or MISMATCH and the first differing tensor "
                        + "(exit 1)."},
        footer = {"", "Bit-identical only on the CPU with the intra-op thread count the version was trained with "
                + "(recorded as intra_op_threads; the tpo launcher uses one), and with images read as the trainer "
                + "read them: give the --image-* options tpo train had (fetched images must still be served, with "
                + "the same bytes)."})
final class ReplayCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    KafkaOptions kafka;

    @Mixin
    ImageSourceOptions images;

    @Option(names = "--model", required = true, paramLabel = "NAME", description = "The model.")
    String model;

    /** Here --version names the model version, so this command has no --version flag of its own (tpo --version). */
    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
    boolean help;

    @Option(names = "--version", required = true, paramLabel = "V", showDefaultValue = Help.Visibility.NEVER,
            description = "The model version to audit (1 or later).")
    long version;

    @Option(names = "--artifacts", paramLabel = "DIR", defaultValue = "${env:TPO_ARTIFACTS:-artifacts}",
            description = "The local artifact store (env TPO_ARTIFACTS).")
    Path artifacts;

    @Option(names = "--device", paramLabel = "cpu|gpu[:N]", defaultValue = "cpu",
            description = "Where to retrain; bit-identical results need the CPU.")
    String device;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "60",
            description = "Longest wait for reading a topic.")
    long timeoutSeconds;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        ReplayAudit audit = new ReplayAudit(kafka.clientSettings().commonMap(), kafka.topics().modelVersions(),
                List.of(new LocalArtifactStore(artifacts)), Devices.resolve(device), Duration.ofSeconds(timeoutSeconds),
                new ImageResolver(images.sources()));
        ReplayAudit.Result result = audit.audit(model, version);
        out.println(result.describe());
        out.flush();
        return result.reproduced() ? 0 : ErrorReporting.RUNTIME_FAILURE;
    }
}
