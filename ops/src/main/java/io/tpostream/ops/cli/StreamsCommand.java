package io.tpostream.ops.cli;

import io.tpostream.ops.kafka.ClientSettings;
import io.tpostream.ops.kafka.KafkaCalls;
import io.tpostream.ops.kafka.TopicAdmin;
import io.tpostream.ops.streams.PairingProgress;
import io.tpostream.schema.Topics;
import io.tpostream.ops.metrics.KafkaClientGauges;
import io.tpostream.ops.metrics.MetricsEndpoint;
import io.tpostream.ops.metrics.PrometheusMetrics;
import io.tpostream.streams.PairingApp;
import io.tpostream.streams.PairingConfig;
import io.tpostream.streams.StreamsSettings;
import org.apache.kafka.streams.StreamsConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Help;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

@Command(name = "streams",
        description = {
                "Runs the pairing app (Kafka Streams, exactly-once) in the foreground until Ctrl-C or SIGTERM: "
                        + "feedback -> validate -> de-duplicate -> pair -> pairs, and every refused record to "
                        + "feedback.dlq with a reason code.",
                "Prints a progress line when its state changes and every --progress-interval while records "
                        + "flow: events in, pairs out, dead letters by reason, ratings held waiting for a partner.",
                "Ctrl-C closes it cleanly (commits, then leaves the group). Run several with the same "
                        + "--application-id to share the partitions."},
        footer = {"", "The topics must exist ('tpo broker' and 'tpo topics' create them). Settings from "
                + "--command-config (security) reach every client of the app; --set passes any Kafka Streams "
                + "setting, e.g. --set num.standby.replicas=1 or --set session.timeout.ms=10000."})
final class StreamsCommand implements Callable<Integer> {

    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(60);
    private static final long POLL_MS = 200;

    @Spec
    CommandSpec spec;

    @Mixin
    MetricsPortOption metricsPort;

    @Mixin
    KafkaOptions kafka;

    @Mixin
    PairingOptions pairing;

    @Option(names = "--application-id", defaultValue = StreamsSettings.DEFAULT_APPLICATION_ID, paramLabel = "ID",
            description = "Kafka Streams application id: consumer group, transactional id and internal topic prefix.")
    String applicationId;

    @Option(names = "--state-dir", defaultValue = "${sys:java.io.tmpdir}/tpo-streams", paramLabel = "DIR",
            description = "Where the state stores live; keep it across restarts, or the app restores its state "
                    + "from the changelog topics.")
    Path stateDir;

    @Option(names = "--commit-interval-ms", defaultValue = "100", paramLabel = "MS",
            description = "How often a transaction commits: the floor of end-to-end latency (pairs become visible "
                    + "to read_committed readers at commit); longer is cheaper. The producers' transaction timeout "
                    + "follows: three intervals, at least 10 s.")
    long commitIntervalMs;

    @Option(names = "--threads", defaultValue = "1", paramLabel = "N", description = "Stream threads.")
    int threads;

    @Option(names = "--progress-interval", defaultValue = "5s", paramLabel = "DURATION",
            converter = DurationConverter.class, description = "How often to print progress while records flow.")
    Duration progressInterval;

    @Option(names = "--set", paramLabel = "KEY=VALUE", showDefaultValue = Help.Visibility.NEVER,
            description = "A Kafka Streams setting (also consumer./producer.-prefixed client settings); "
                    + "repeatable; wins over everything else.")
    Map<String, String> streamsOverrides = new LinkedHashMap<>();

    @Override
    public Integer call() throws InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (commitIntervalMs < 1 || threads < 1 || progressInterval.toMillis() < 1) {
            throw new ParameterException(spec.commandLine(),
                    "--commit-interval-ms, --threads and --progress-interval must be positive");
        }
        PairingConfig config = pairing.config();
        ClientSettings clients = kafka.clientSettings();
        Topics topics = kafka.topics();
        requireTopics(clients, topics);

        Map<String, String> extra = new LinkedHashMap<>();
        extra.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, String.valueOf(threads));
        extra.putAll(streamsOverrides);
        StreamsSettings settings = clients.streamsSettings(applicationId, stateDir)
                .withCommitInterval(Duration.ofMillis(commitIntervalMs))
                .withExtraProperties(extra);

        PairingApp app = new PairingApp(topics, config, settings);
        PrometheusMetrics metrics = new PrometheusMetrics();
        KafkaClientGauges clientGauges = new KafkaClientGauges(metrics.registry(), app::metrics);
        try (metrics; MetricsEndpoint ignored = metricsPort.start(metrics, clientGauges::refresh, err)) {
            return run(app, out, err, topics, clients);
        }
    }

    private int run(PairingApp app, PrintWriter out, PrintWriter err, Topics topics, ClientSettings clients)
            throws InterruptedException {
        Watch watch = new Watch(app, out);
        CountDownLatch closed = new CountDownLatch(1);
        Thread closeOnExit = new Thread(() -> {
            watch.stopping = true;
            watch.print(); // the app's metrics go away with it
            err.println("closing the pairing app (commits, then leaves the group)...");
            err.flush();
            boolean clean = app.close(CLOSE_TIMEOUT);
            out.println(clean ? "pairing app stopped" : "pairing app did not stop within " + CLOSE_TIMEOUT.toSeconds()
                    + " s");
            out.flush();
            closed.countDown();
        }, "tpo-streams-close");
        Runtime.getRuntime().addShutdownHook(closeOnExit);
        err.println("pairing " + topics.feedback() + " -> " + topics.pairs() + " + " + topics.deadLetters()
                + " as application " + applicationId + " on " + clients + ", state in " + stateDir
                + ". Ctrl-C stops it.");
        err.flush();
        app.start();
        long lastPrint = 0;
        while (!closed.await(POLL_MS, TimeUnit.MILLISECONDS)) {
            if (watch.stopping) {
                continue; // the shutdown hook owns the app now
            }
            if (app.isDead()) {
                // not our close: a stream thread failed and shut the client down
                Runtime.getRuntime().removeShutdownHook(closeOnExit);
                watch.print();
                app.close(CLOSE_TIMEOUT);
                err.println("tpo streams: error: the pairing app stopped"
                        + app.failure().map(f -> ": " + ErrorReporting.describe(f)).orElse(""));
                err.flush();
                return ErrorReporting.RUNTIME_FAILURE;
            }
            long now = System.nanoTime();
            if (watch.stateChanged() || now - lastPrint >= progressInterval.toNanos() && watch.countersChanged()) {
                watch.print();
                lastPrint = now;
            }
        }
        return 0;
    }

    private static void requireTopics(ClientSettings clients, Topics topics) {
        try (TopicAdmin admin = TopicAdmin.connect(clients, Duration.ofSeconds(30))) {
            for (String topic : List.of(topics.feedback(), topics.pairs(), topics.deadLetters())) {
                if (admin.partitions(topic).isEmpty()) {
                    throw new KafkaCalls.KafkaCallException("topic " + topic + " does not exist on "
                            + clients.bootstrapServers() + ": create the topics with 'tpo topics'", null);
                }
            }
        }
    }

    /** What was printed last, so that a line appears only when something changed. */
    private static final class Watch {
        private final PairingApp app;
        private final PrintWriter out;
        private final long started = System.nanoTime();
        volatile boolean stopping;
        private String printedState = "";
        private Map<String, Long> printed = Map.of();
        private long printedAt = started;

        Watch(PairingApp app, PrintWriter out) {
            this.app = app;
            this.out = out;
        }

        boolean stateChanged() {
            return !app.state().name().equals(printedState);
        }

        boolean countersChanged() {
            return !app.metricsSnapshot().equals(printed);
        }

        synchronized void print() {
            long now = System.nanoTime();
            String state = app.state().name();
            Map<String, Long> snapshot = app.metricsSnapshot();
            out.println(PairingProgress.line(state, snapshot, printed, Duration.ofNanos(now - printedAt),
                    Duration.ofNanos(now - started)));
            out.flush();
            printedState = state;
            printed = snapshot;
            printedAt = now;
        }
    }
}
