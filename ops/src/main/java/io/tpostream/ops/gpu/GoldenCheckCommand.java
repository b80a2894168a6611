package io.tpostream.ops.gpu;

import ai.djl.Device;
import io.tpostream.ops.cli.DeviceOption;
import io.tpostream.trainer.tpo.GoldenVector;
import io.tpostream.trainer.tpo.TpoGoldenCheck;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

@Command(name = "golden", description = "TpoLoss on the device against every golden vector (float64 PyTorch values)"
        + " in a folder, with the unit test's tolerances.")
final class GoldenCheckCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    DeviceOption device;

    @Option(names = "--dir", required = true, description = "Folder of golden *.json files.")
    Path dir;

    @Option(names = "--out", description = "JSON result file.")
    Path out;

    /** One comparison as written to the result file, with its verdict. */
    record Compared(String key, long elements, double maxError, long worstIndex, double tolerance, String problem,
                    boolean passed) {
    }

    record FileResult(String file, boolean passed, List<Compared> comparisons) {
    }

    @Override
    public Integer call() throws IOException {
        List<Path> files = TpoGoldenCheck.jsonFiles(dir);
        if (files.isEmpty()) {
            throw new ParameterException(spec.commandLine(), "no *.json golden vectors in " + dir);
        }
        Device d = device.resolve();
        PrintWriter console = spec.commandLine().getOut();
        List<FileResult> results = new ArrayList<>();
        for (Path file : files) {
            TpoGoldenCheck.Report report = TpoGoldenCheck.check(GoldenVector.read(file), d);
            List<Compared> compared = report.comparisons().stream().map(c -> new Compared(c.key(), c.elements(),
                    c.maxError(), c.worstIndex(), c.tolerance(), c.problem(), c.passed())).toList();
            results.add(new FileResult(report.name(), report.passed(), compared));
            console.println(line(report, d));
        }
        boolean passed = results.stream().allMatch(FileResult::passed);
        DeviceChecks.write(out, new DeviceChecks.Envelope("golden", DeviceChecks.status(passed), RunEnvironment.of(d),
                results));
        console.printf(Locale.ROOT, "golden: %s, %d file(s) on %s%n", DeviceChecks.status(passed).toUpperCase(Locale.ROOT),
                results.size(), d);
        console.flush();
        return passed ? 0 : DeviceChecks.FAILED;
    }

    /** The file's verdict and its closest call: the comparison with the largest error relative to its tolerance. */
    private static String line(TpoGoldenCheck.Report report, Device device) {
        if (!report.passed()) {
            return String.format(Locale.ROOT, "FAIL %s on %s: %s", report.name(), device, report.failures());
        }
        TpoGoldenCheck.Comparison closest = report.comparisons().stream().filter(c -> c.tolerance() > 0)
                .max(Comparator.comparingDouble(c -> c.maxError() / c.tolerance())).orElseThrow();
        return String.format(Locale.ROOT, "PASS %s on %s: %d comparisons, closest %s error %.2e (tolerance %.0e)",
                report.name(), device, report.comparisons().size(), closest.key(), closest.maxError(), closest.tolerance());
    }
}
