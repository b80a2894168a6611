package io.tpostream.ops.cli;

import io.tpostream.ops.base.BaseModels;
import io.tpostream.ops.bench.EndToEndBenchmark;
import io.tpostream.ops.bench.MemoryTrend;
import io.tpostream.ops.console.ProgressBar;
import io.tpostream.schema.VersionStatus;
import io.tpostream.trainer.training.PretrainConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;

@Command(name = "e2e",
        description = {"Freshness and publishing overhead on an embedded broker: a steady stream of feedback",
                "(corrections) through the pairing app and the online trainer. Freshness = time from a feedback",
                "event's occurredAt to the creation of the first PASSED version whose window holds its pair.",
                "Publishing overhead = checkpoint + artifact + transaction time over the trainer's wall time",
                "(the promotion gate's evaluation is reported beside it). Memory: this process's resident size and",
                "its heap after a full collection, sampled after each version (first against last quarter)."})
final class BenchE2eCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--minutes", defaultValue = "2", description = "How long feedback flows.")
    double minutes;

    @Option(names = "--events-per-second", defaultValue = "4", description = "Feedback rate.")
    double rate;

    @Option(names = "--batch-size", defaultValue = "8", description = "Pairs per training step.")
    int batchSize;

    @Option(names = "--publish-every-steps", defaultValue = "20", description = "Version cadence: steps (as tpo train).")
    int publishEverySteps;

    @Option(names = "--publish-every-seconds", defaultValue = "5", description = "Version cadence: seconds.")
    double publishEverySeconds;

    @Option(names = "--gate-probe-images", defaultValue = "16", description = "Probe-set size of the promotion gate.")
    int probeImages;

    @Option(names = "--base", paramLabel = "FILE", description = "Base checkpoint (default: pre-trained and cached under --out).")
    Path base;

    @Option(names = "--out", defaultValue = "bench-out", paramLabel = "DIR", description = "Working directory.")
    Path out;

    @Override
    public Integer call() throws Exception {
        PrintWriter err = spec.commandLine().getErr();
        Path checkpoint = base != null ? base
                : BaseModels.ensure(PretrainConfig.defaults(), ai.djl.Device.cpu(), out.resolve("base"), 100, err);
        ProgressBar bar = new ProgressBar(err);
        EndToEndBenchmark.Result r = EndToEndBenchmark.run(new EndToEndBenchmark.Settings(out, checkpoint,
                Duration.ofMillis((long) (minutes * 60_000)), rate, batchSize, publishEverySteps,
                Duration.ofMillis((long) (publishEverySeconds * 1000)), probeImages, 1),
                (done, total) -> bar.update("feedback sent", done, total));
        PrintWriter o = spec.commandLine().getOut();
        long passed = r.versions().stream().filter(v -> v.getVersion() > 0 && v.getStatus() == VersionStatus.PASSED).count();
        o.printf(Locale.ROOT, "tpo bench e2e --minutes %s --events-per-second %s --batch-size %d --publish-every-steps %d"
                        + " --publish-every-seconds %s --gate-probe-images %d%n", minutes, rate, batchSize,
                publishEverySteps, publishEverySeconds, probeImages);
        long rejected = r.versions().stream().filter(v -> v.getStatus() == VersionStatus.REJECTED).count();
        o.printf(Locale.ROOT, "feedback: on-policy comparisons of the served version's %d sampled captions (%d scenes"
                + " tied and sent nothing)%n", EndToEndBenchmark.SAMPLES, r.tiedScenes());
        o.printf(Locale.ROOT, "events %d, versions %d (%d trained and PASSED, %d REJECTED by the gate); pairs: %d served,"
                        + " %d in REJECTED windows, %d not yet in a version%n", r.eventsSent(), r.versions().size(),
                passed, rejected, r.freshness().latenciesMillis().size(), r.freshness().inRejectedWindows(),
                r.freshness().notYetInAVersion());
        o.printf(Locale.ROOT, "freshness: p50 %.1f s, p95 %.1f s, max %.1f s%n", r.freshness().percentileSeconds(50),
                r.freshness().percentileSeconds(95), r.freshness().percentileSeconds(100));
        o.printf(Locale.ROOT, "trainer wall %.0f s: publishing (checkpoint + artifact + transaction) %.1f s = %.1f %%,"
                        + " gate evaluation %.1f s = %.1f %%%n", r.trainerSeconds(), r.publishSeconds(),
                100 * r.publishSeconds() / r.trainerSeconds(), r.gateSeconds(), 100 * r.gateSeconds() / r.trainerSeconds());
        o.println("memory after each version: " + MemoryTrend.describe(r.memory()));
        o.flush();
        return 0;
    }
}
