package io.tpostream.ops.cli;

import io.tpostream.trainer.experiment.StepBenchmark;
import io.tpostream.trainer.tpo.Objective;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "trainer",
        description = {"Median step time of each objective on the same batch, interleaved in one run, with pairs/s,",
                "tokens/s and model FLOP/s (8 x parameters x tokens: policy forward+backward and reference forward).",
                "Pass --peak-tflops to also print model-FLOPs utilisation against a device's peak."})
final class BenchTrainerCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    DeviceOption device;

    @Mixin
    StepBenchOptions bench;

    @Option(names = "--peak-tflops", defaultValue = "0", paramLabel = "T",
            description = "The device's peak (e.g. 989 for an H100's dense bf16); 0 = unknown.")
    double peakTflops;

    @Override
    public Integer call() {
        List<StepBenchmark.Result> results = bench.run(device.resolve());
        Map<String, Double> ratios = StepBenchmark.ratios(results);
        PrintWriter out = spec.commandLine().getOut();
        out.printf(Locale.ROOT, "tpo bench trainer --preset %s --batch-size %d --steps %d --warmup %d --device %s (threads %s)%n",
                bench.preset, bench.batchSize, bench.steps, bench.warmup, device.resolve(), System.getProperty("ai.djl.pytorch.num_threads", "default"));
        out.printf(Locale.ROOT, "%-18s %10s %10s %10s %12s %12s %9s%s%n", "objective", "median ms", "p90 ms",
                "pairs/s", "tokens/s", "TFLOP/s", "ratio", peakTflops > 0 ? "      MFU" : "");
        for (StepBenchmark.Result r : results) {
            out.printf(Locale.ROOT, "%-18s %10.1f %10.1f %10.1f %12.0f %12.4f %8.2fx%s%n", r.objective(), r.medianMillis(),
                    r.p90Millis(), r.pairsPerSecond(), r.tokensPerSecond(), r.achievedTflops(), ratios.get(r.objective()),
                    peakTflops > 0 ? String.format(Locale.ROOT, " %7.2f%%", 100 * r.achievedTflops() / peakTflops) : "");
        }
        out.flush();
        return 0;
    }
}
