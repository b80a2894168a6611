package io.tpostream.ops.cli;

import io.tpostream.ops.console.ProgressBar;
import io.tpostream.ops.bench.StreamsBenchmark;
import io.tpostream.ops.streams.PairingProgress;
import io.tpostream.ops.synthetic.BenchWorkload;
import io.tpostream.streams.pairing.PairingMetrics;
import picocli.CommandLine.Command;
import picocli.CommandLine.Help;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

@Command(name = "streams",
        description = {
                "Pass-through versus pairing, exactly_once_v2, on an embedded broker this command starts on "
                        + "127.0.0.1 in a temporary directory (deleted at the end).",
                "Pre-produces --events synthetic feedback records once, then runs a byte-copying pass-through app "
                        + "and the pairing app over them, one after the other, with the same settings, and prints "
                        + "events/s for each and their ratio."})
final class BenchStreamsCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    PairingOptions pairing;

    @Option(names = "--events", defaultValue = "1000000", paramLabel = "N", description = "Feedback records.")
    long events;

    @Option(names = "--images", defaultValue = "0", paramLabel = "N",
            description = "Distinct images (two prompts each); 0: one per 200 events. A smaller run with the images "
                    + "of a larger one has the larger run's ratings per key, over a shorter time.")
    int images;

    @Option(names = "--partitions", defaultValue = "3", paramLabel = "N",
            description = "Partitions of the input: one stream task each.")
    int partitions;

    @Option(names = "--commit-interval-ms", defaultValue = "100", paramLabel = "MS",
            description = "commit.interval.ms of both apps (100 is the exactly-once default).")
    long commitIntervalMs;

    @Option(names = "--threads", defaultValue = "1", paramLabel = "N", description = "Stream threads of each app.")
    int threads;

    @Option(names = "--seed", defaultValue = "1", description = "Seeds the synthetic workload.")
    long seed;

    @Option(names = "--set", paramLabel = "KEY=VALUE", showDefaultValue = Help.Visibility.NEVER,
            description = "A Kafka Streams setting of both apps (also producer./consumer.-prefixed client settings), "
                    + "e.g. --set enable.transactional.statestores=true; repeatable.")
    Map<String, String> streamsOverrides = new LinkedHashMap<>();

    @Override
    public Integer call() throws Exception {
        if (events < 1 || partitions < 1 || commitIntervalMs < 1 || threads < 1 || images < 0) {
            throw new ParameterException(spec.commandLine(),
                    "--events, --partitions, --commit-interval-ms and --threads must be positive, --images not "
                            + "negative");
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        StreamsBenchmark.Settings settings = new StreamsBenchmark.Settings(events, images, partitions,
                Duration.ofMillis(commitIntervalMs), threads, pairing.config(), seed, streamsOverrides);
        StreamsBenchmark.Result r = StreamsBenchmark.run(settings, ProgressBar.perStep(err));
        print(r, out);
        return 0;
    }

    static void print(StreamsBenchmark.Result r, PrintWriter out) {
        StreamsBenchmark.Settings s = r.settings();
        out.printf(Locale.ROOT, "tpo bench streams --events %d%s --partitions %d --commit-interval-ms %d --threads %d "
                + "--seed %d%s%n", s.events(), s.images() > 0 ? " --images " + s.images() : "", s.partitions(),
                s.commitInterval().toMillis(), s.threads(), s.seed(), new TreeMap<>(s.streams()).entrySet().stream()
                        .map(e -> " --set " + e.getKey() + "=" + e.getValue()).collect(Collectors.joining()));
        out.printf(Locale.ROOT, "machine: %d cores, Java %s, max heap %d MiB; broker, producer and apps in this JVM%n",
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"),
                Runtime.getRuntime().maxMemory() >> 20);
        out.printf(Locale.ROOT, "workload: %d records, %.1f MB of values, %d images x 2 prompts, record timestamps "
                        + "over %s of simulated time (%d events/s); 55%% ratings, 18.5%% corrections, 18.5%% "
                        + "comparisons, 2%% inline 16x16 PNGs, 5%% resends, 3%% bad records%n",
                r.produced(), r.inputBytes() / 1e6, r.images(), PairingProgress.duration(r.span()),
                BenchWorkload.SIMULATED_EVENTS_PER_SECOND);
        out.printf(Locale.ROOT, "produced in %.1f s (%.0f records/s; batch.size 128 KiB, lz4, linger 10 ms, "
                + "acks=all)%n", seconds(r.produceTime()), r.produced() / seconds(r.produceTime()));
        out.println("timing: " + StreamsBenchmark.TIMING);
        out.println("cpu: app threads = the app's stream threads and their clients; jvm = everything in this JVM, "
                + "the broker included");
        out.printf(Locale.ROOT, "%-14s %12s %10s %12s %10s %14s%n", "app", "events/s", "seconds", "app cpu s",
                "jvm cpu s", "app cpu us/ev");
        for (StreamsBenchmark.Run run : new StreamsBenchmark.Run[] {r.passThrough(), r.pairing()}) {
            out.printf(Locale.ROOT, "%-14s %12.0f %10.2f %12.2f %10.2f %14.1f%n", run.name(), run.eventsPerSecond(),
                    seconds(run.elapsed()), seconds(run.appCpu()), seconds(run.processCpu()),
                    run.appCpuMicrosPerEvent());
        }
        for (StreamsBenchmark.Run run : new StreamsBenchmark.Run[] {r.passThrough(), r.pairing()}) {
            out.printf(Locale.ROOT, "cpu s by thread during %s: %s%n", run.name(), topThreads(run));
        }
        Map<String, Long> m = r.pairing().metrics();
        StreamsBenchmark.Run p = r.pairing();
        out.printf(Locale.ROOT, "pairing state: %d store writes (%.2f per event, before record caching), changelogs "
                        + "%d records (%.2f per event) and %.1f MB (%.0f bytes per event, as the broker stores them)%n",
                m.getOrDefault(PairingMetrics.STATE_WRITES, 0L), p.storeWritesPerEvent(), p.changelogRecords(),
                p.changelogRecordsPerEvent(), p.changelogBytes() / 1e6, p.changelogBytesPerEvent());
        out.printf(Locale.ROOT, "pairing / pass-through: %.2f%n", r.ratio());
        out.printf(Locale.ROOT, "pairing output: %d pairs, %d dead letters (%s), %d outcomes (%s), %d ratings still "
                        + "held%n",
                m.getOrDefault(PairingMetrics.PAIRS_OUT, 0L), m.getOrDefault(PairingMetrics.DEAD_LETTERS, 0L),
                PairingProgress.deadLettersByReason(m), m.getOrDefault(PairingMetrics.OUTCOMES, 0L),
                PairingProgress.byPrefix(m, PairingMetrics.OUTCOMES + "."),
                m.getOrDefault(PairingMetrics.HELD_RATINGS, 0L));
        out.printf(Locale.ROOT, "goals: pairing >= 50%% of pass-through: %s; pairing >= 50000 events/s: %s%n",
                r.ratio() >= 0.5 ? "met" : "NOT met", p.eventsPerSecond() >= 50_000 ? "met" : "NOT met");
        out.flush();
    }

    /** The thread kinds that used at least 2 % of the run's JVM CPU, most first. */
    private static String topThreads(StreamsBenchmark.Run run) {
        double total = seconds(run.processCpu());
        return run.cpuByThread().entrySet().stream()
                .filter(e -> seconds(e.getValue()) >= 0.02 * total)
                .sorted(Map.Entry.<String, Duration>comparingByValue().reversed())
                .map(e -> String.format(Locale.ROOT, "%s %.2f", e.getKey(), seconds(e.getValue())))
                .collect(Collectors.joining(", "));
    }

    private static double seconds(Duration d) {
        return d.toNanos() / 1e9;
    }
}
