package io.tpostream.ops.cli;

import io.tpostream.ops.demo.DemoReport;
import io.tpostream.ops.demo.DemoRun;
import io.tpostream.ops.demo.DemoSettings;
import io.tpostream.ops.demo.DemoSummary;
import io.tpostream.ops.demo.SimulatedUsers;
import io.tpostream.trainer.tpo.Objective;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

@Command(name = "demo",
        description = {"The whole loop on this machine: an embedded Kafka broker, the pairing app, the online trainer,",
                "a captioning service that serves the current model version, and simulated users who judge its",
                "captions (ratings, corrections, comparisons, some noisy or malicious, some broken records).",
                "The base model is pre-trained on first use and cached under DIR/base. Ctrl-C stops early and",
                "still writes DIR/report.html."})
final class DemoCommand implements java.util.concurrent.Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--minutes", defaultValue = "4", description = "How long the users send feedback.")
    double minutes;

    @Option(names = "--objective", defaultValue = "tpo", description = "tpo, dpo, tpo-chosen-only, tpo-rejected-only or tpo-opposite.")
    String objective;

    @Option(names = "--seed", defaultValue = "1", description = "Seeds the world, the users and the training.")
    long seed;

    @Option(names = "--feedback", defaultValue = "on-policy", paramLabel = "on-policy|corrections",
            description = "What the simulated users mostly send: ratings and comparisons of the serving model's own"
                    + " captions (on-policy, the default: the study's production-like regime) or corrections.")
    String feedback;

    @Option(names = "--out", defaultValue = "demo-out", paramLabel = "DIR", description = "Where everything goes.")
    Path out;

    @Override
    public Integer call() throws Exception {
        DemoSettings settings = DemoSettings.defaults(out).withLength(Duration.ofMillis((long) (minutes * 60_000)))
                .withObjective(Objective.fromName(objective)).withSeed(seed)
                .withUsers(SimulatedUsers.Behaviour.named(feedback));
        PrintWriter console = spec.commandLine().getErr();
        AtomicBoolean stop = new AtomicBoolean();
        CountDownLatch finished = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            stop.set(true);
            try {
                finished.await(180, TimeUnit.SECONDS); // let the run close cleanly and write its report
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "demo-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            DemoSummary summary = DemoRun.run(settings, console, stop::get);
            Path report = DemoReport.write(summary, out.resolve("report.html"));
            PrintWriter o = spec.commandLine().getOut();
            o.print(DemoReport.summaryTable(summary));
            o.println("report: " + report.toAbsolutePath());
            o.flush();
            return 0;
        } finally {
            finished.countDown();
            if (!stop.get()) {
                Runtime.getRuntime().removeShutdownHook(hook);
            }
        }
    }
}
