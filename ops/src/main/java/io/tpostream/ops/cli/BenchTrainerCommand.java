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
                "tokens/s and FLOP/s. FLOPs are counted per layer for the positions the step computes (StepFlops);",
                "the machine's large-GEMM rate is measured in the same run through the same engine, and each",
                "step's rate is printed as a fraction of it. --baseline adds the straightforward step path.",
                "Pass --peak-tflops to also print model-FLOPs utilisation against a device's datasheet peak."})
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
        out.printf(Locale.ROOT, "%-26s %10s %10s %10s %9s %10s %10s %9s %8s %7s%s%n", "objective", "median ms", "p90 ms", "cpu ms",
                "pairs/s", "tokens/s", "GFLOP/st", "TFLOP/s", "of GEMM", "ratio", peakTflops > 0 ? "      MFU" : "");
        for (StepBenchmark.Result r : results) {
            out.printf(Locale.ROOT, "%-26s %10.1f %10.1f %10.1f %9.1f %10.0f %10.2f %9.4f %7.1f%% %6.2fx%s%n", r.objective(),
                    r.medianMillis(), r.p90Millis(), r.medianCpuMillis(), r.pairsPerSecond(), r.tokensPerSecond(), r.modelFlopsPerStep() / 1e9,
                    r.achievedTflops(), 100 * r.gemmFraction(), ratios.get(r.objective()),
                    peakTflops > 0 ? String.format(Locale.ROOT, " %7.2f%%", 100 * r.achievedTflops() / peakTflops) : "");
        }
        out.printf(Locale.ROOT, "large-GEMM rate (float32 %dx%d, same engine and threads, best of before/after): %.4f TFLOP/s%n",
                StepBenchmark.GEMM_SIZE, StepBenchmark.GEMM_SIZE, results.get(0).gemmTflops());
        for (StepBenchmark.Result r : results) {
            StringBuilder parts = new StringBuilder();
            r.flopsPerLayer().forEach((part, flops) -> parts.append(String.format(Locale.ROOT, " %s %.2f", part, flops / 1e9)));
            out.printf(Locale.ROOT, "forward GFLOP (policy + reference) %-26s%s%n", r.objective() + ":", parts);
        }
        StepBenchmark.speedups(results).forEach((objective, speedup) -> out.printf(Locale.ROOT,
                "speed-up of %s over its straightforward step: %.2fx%n", objective, speedup));
        out.flush();
        return 0;
    }
}
