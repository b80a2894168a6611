package io.tpostream.ops.gpu;

import ai.djl.Device;
import io.tpostream.ops.cli.DeviceOption;
import io.tpostream.ops.cli.StepBenchOptions;
import io.tpostream.trainer.experiment.StepBenchmark;
import io.tpostream.trainer.tpo.Objective;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "bench", description = {"The trainer step benchmark (StepBenchmark) with model-FLOPs utilisation"
        + " against three peaks of the device: dense bf16 (the usual MFU basis), dense tf32 and plain fp32.",
        "The steps run in float32 (bfloat16 aborts DJL 0.36's engine); libtorch's default keeps float32 matrix"
                + " products off tf32, so the fp32 peak is the one this code can approach."})
final class StepBenchCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    DeviceOption device;

    @Mixin
    StepBenchOptions bench;

    // H100 SXM and H200 datasheet dense rates (the same chip); 0 leaves a column out
    @Option(names = "--peak-bf16-tflops", defaultValue = "989", description = "Dense bf16 peak, TFLOP/s.")
    double peakBf16;

    @Option(names = "--peak-tf32-tflops", defaultValue = "495", description = "Dense tf32 peak, TFLOP/s.")
    double peakTf32;

    @Option(names = "--peak-fp32-tflops", defaultValue = "67", description = "Plain fp32 peak, TFLOP/s.")
    double peakFp32;

    @Option(names = "--out", description = "JSON result file.")
    Path out;

    record Row(String objective, double medianMillis, double p90Millis, double pairsPerSecond, double tokensPerSecond,
               double modelTflopPerStep, double achievedTflops, double stepTimeRatio, Map<String, Double> mfu) {
    }

    record Bench(String preset, int batchSize, int warmup, int steps, Map<String, Double> peakTflops, List<Row> rows) {
    }

    @Override
    public Integer call() throws IOException {
        Device d = device.resolve();
        PrintWriter console = spec.commandLine().getOut();
        Map<String, Double> peaks = new LinkedHashMap<>();
        if (peakBf16 > 0) {
            peaks.put("bf16_dense", peakBf16);
        }
        if (peakTf32 > 0) {
            peaks.put("tf32_dense", peakTf32);
        }
        if (peakFp32 > 0) {
            peaks.put("fp32", peakFp32);
        }
        List<StepBenchmark.Result> results;
        try {
            results = bench.run(d);
        } catch (RuntimeException e) {
            if (!DeviceChecks.outOfMemory(e)) {
                throw e;
            }
            DeviceChecks.write(out, new DeviceChecks.Envelope("bench", "out_of_memory", RunEnvironment.of(d),
                    Map.of("preset", bench.preset, "batchSize", bench.batchSize, "error", String.valueOf(e.getMessage()))));
            console.println("bench: OUT OF MEMORY on " + d + " (" + bench.preset + ", batch " + bench.batchSize + "): "
                    + e.getMessage());
            console.flush();
            return DeviceChecks.OUT_OF_MEMORY;
        }
        Map<String, Double> ratios = StepBenchmark.ratios(results);
        List<Row> rows = results.stream().map(r -> {
            Map<String, Double> mfu = new LinkedHashMap<>();
            peaks.forEach((name, peak) -> mfu.put(name, r.achievedTflops() / peak));
            return new Row(r.objective(), r.medianMillis(), r.p90Millis(), r.pairsPerSecond(), r.tokensPerSecond(),
                    r.modelFlopsPerStep() / 1e12, r.achievedTflops(), ratios.get(r.objective()), mfu);
        }).toList();

        console.printf(Locale.ROOT, "bench: %s preset, batch %d pairs, %d timed steps after %d warm-up, on %s, float32%n",
                bench.preset, bench.batchSize, bench.steps, bench.warmup, d);
        StringBuilder header = new StringBuilder(String.format(Locale.ROOT, "%-18s %10s %10s %9s %12s %9s %7s",
                "objective", "median ms", "p90 ms", "pairs/s", "tokens/s", "TFLOP/s", "ratio"));
        peaks.keySet().forEach(name -> header.append(String.format(Locale.ROOT, " %11s", "MFU " + name)));
        console.println(header);
        for (Row r : rows) {
            StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%-18s %10.2f %10.2f %9.1f %12.0f %9.3f %6.2fx",
                    r.objective(), r.medianMillis(), r.p90Millis(), r.pairsPerSecond(), r.tokensPerSecond(),
                    r.achievedTflops(), r.stepTimeRatio()));
            r.mfu().values().forEach(v -> line.append(String.format(Locale.ROOT, " %10.2f%%", 100 * v)));
            console.println(line);
        }
        console.flush();
        DeviceChecks.write(out, new DeviceChecks.Envelope("bench", "measured", RunEnvironment.of(d),
                new Bench(bench.preset, bench.batchSize, bench.warmup, bench.steps, peaks, rows)));
        return 0;
    }
}
