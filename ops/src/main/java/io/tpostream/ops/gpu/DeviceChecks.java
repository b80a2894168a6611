package io.tpostream.ops.gpu;

import com.fasterxml.jackson.databind.SerializationFeature;
import io.tpostream.ops.json.Json;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * The checks a GPU machine runs (ops/gpu/run-device-checks.sh calls each in its own JVM, so that one that crashes
 * or runs out of time leaves the others' results): the TPO golden vectors on the device, CPU/device parity of one
 * TPO step, and the trainer step benchmark. Each prints a summary and writes a JSON result with
 * {@link RunEnvironment}. A plain main rather than a {@code tpo} subcommand so that the device needs only the
 * trainer's jars, not Kafka's.
 */
@Command(name = "gpu-check", mixinStandardHelpOptions = true,
        description = "Golden vectors, CPU/device parity and the step benchmark on a device; JSON results.",
        subcommands = {GoldenCheckCommand.class, ParityCheckCommand.class, StepBenchCommand.class},
        footer = {"", "Exit codes: 0 passed, 1 a check failed, 2 usage error, 3 the model does not fit in the device's"
                + " memory."})
public final class DeviceChecks implements Callable<Integer> {

    static final int FAILED = 1;
    static final int OUT_OF_MEMORY = 3;

    @Spec
    CommandSpec spec;

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    public static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new DeviceChecks());
        cli.getSubcommands().values().forEach(c -> {
            c.getCommandSpec().mixinStandardHelpOptions(true);
            c.getCommandSpec().usageMessage().showDefaultValues(true);
        });
        return cli;
    }

    @Override
    public Integer call() {
        throw new ParameterException(spec.commandLine(), "missing check: golden, parity or bench");
    }

    /** What every result file holds: which check, where it ran, its outcome, the details. */
    record Envelope(String check, String status, RunEnvironment environment, Object result) {
    }

    static void write(Path out, Envelope envelope) throws IOException {
        if (out == null) {
            return;
        }
        Path parent = out.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        Json.mapper().writer().with(SerializationFeature.INDENT_OUTPUT).writeValue(out.toFile(), envelope);
    }

    /** A CUDA allocation failure somewhere in the cause chain: the model does not fit, which is a finding. */
    static boolean outOfMemory(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t.getMessage() != null && t.getMessage().toLowerCase(Locale.ROOT).contains("out of memory")) {
                return true;
            }
        }
        return false;
    }

    static String status(boolean passed) {
        return passed ? "passed" : "failed";
    }
}
