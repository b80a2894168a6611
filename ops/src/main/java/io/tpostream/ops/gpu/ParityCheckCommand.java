package io.tpostream.ops.gpu;

import ai.djl.Device;
import io.tpostream.ops.cli.DeviceOption;
import io.tpostream.trainer.model.Devices;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "parity", description = "One TPO step of the same seeded model on the same batch on the reference"
        + " device and on --device: loss, gradient norm and every parameter's gradient must agree.")
final class ParityCheckCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    DeviceOption device;

    @Option(names = "--reference", defaultValue = "cpu", description = "The device the other is compared with.")
    String reference;

    @Option(names = "--preset", defaultValue = "small", description = "Model size: tiny, small or base.")
    String preset;

    @Option(names = "--pairs", defaultValue = "4", description = "Preference pairs in the batch.")
    int pairs;

    @Option(names = "--seed", defaultValue = "1", description = "Seed of the initial weights.")
    long seed;

    @Option(names = "--loss-tolerance", defaultValue = "1e-4", description = "Largest relative error of the loss and"
            + " of the gradient norm.")
    double lossTolerance;

    @Option(names = "--gradient-tolerance", defaultValue = "1e-3", description = "Largest relative L2 error of any"
            + " parameter's gradient.")
    double gradientTolerance;

    @Option(names = "--out", description = "JSON result file.")
    Path out;

    @Override
    public Integer call() throws IOException {
        Device d = device.resolve();
        ParityCheck.Settings settings = new ParityCheck.Settings(preset, pairs, seed, lossTolerance, gradientTolerance);
        PrintWriter console = spec.commandLine().getOut();
        ParityCheck.Result result;
        try {
            result = ParityCheck.run(settings, Devices.resolve(reference), d);
        } catch (RuntimeException e) {
            if (!DeviceChecks.outOfMemory(e)) {
                throw e;
            }
            DeviceChecks.write(out, new DeviceChecks.Envelope("parity", "out_of_memory", RunEnvironment.of(d),
                    Map.of("settings", settings, "error", String.valueOf(e.getMessage()))));
            console.println("parity: OUT OF MEMORY on " + d + " (" + preset + "): " + e.getMessage());
            console.flush();
            return DeviceChecks.OUT_OF_MEMORY;
        }
        for (String name : new String[] {"loss", "grad_norm"}) {
            ParityCheck.Metric m = result.metrics().get(name);
            console.printf(Locale.ROOT, "%-10s %s %.8f  %s %.8f  relative error %.2e%n", name, result.referenceDevice(),
                    m.reference(), result.device(), m.device(), m.diff().relativeError());
        }
        console.printf(Locale.ROOT, "gradients: %d tensors, %d values; worst relative L2 errors:%n",
                result.gradients().size(), result.gradientElements());
        result.gradients().stream().limit(5).forEach(g -> console.printf(Locale.ROOT,
                "  %-50s rel %.2e  max abs %.2e  (norm %.3e)%s%n", g.parameter(), g.diff().relativeError(),
                g.diff().maxAbsError(), g.referenceNorm(), g.passed() ? "" : "  FAIL"));
        console.printf(Locale.ROOT, "parity: %s, %s preset, %d pairs, %s vs %s (tolerances: loss %.0e, gradients %.0e)%n",
                DeviceChecks.status(result.passed()).toUpperCase(Locale.ROOT), preset, pairs, result.device(),
                result.referenceDevice(), lossTolerance, gradientTolerance);
        console.flush();
        DeviceChecks.write(out, new DeviceChecks.Envelope("parity", DeviceChecks.status(result.passed()),
                RunEnvironment.of(d), result));
        return result.passed() ? 0 : DeviceChecks.FAILED;
    }
}
