package io.tpostream.ops.cli;

import io.tpostream.ops.kafka.ClientSettings;
import io.tpostream.ops.kafka.TopicAdmin;
import io.tpostream.ops.kafka.TopicPlanner;
import io.tpostream.ops.kafka.TopicReport;
import io.tpostream.ops.kafka.TopicSpec;
import io.tpostream.schema.Topics;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;

@Command(name = "topics",
        description = {
                "Creates the system's topics that are missing and checks the existing ones against the plan.",
                "Existing topics are never changed; differences (partition count, retention, ...) are reported.",
                "Plan: feedback, pairs and feedback.dlq with --partitions partitions; model-versions and "
                        + "token-rewards with 1 (one total order of versions; one transactional writer per model).",
                "Retention: feedback, pairs, model-versions, token-rewards forever (the audit trail; "
                        + "model-versions is not compacted); feedback.dlq "
                        + TopicPlanner.DEAD_LETTER_RETENTION_DAYS + " days."})
final class TopicsCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    KafkaOptions kafka;

    @Option(names = "--partitions", defaultValue = "" + TopicPlanner.DEFAULT_PARTITIONS, paramLabel = "N",
            description = "Partitions of feedback, pairs and feedback.dlq: the parallelism of the streams app.")
    int partitions;

    @Option(names = "--replication-factor", paramLabel = "R",
            description = "Replicas per partition (default: the cluster's default.replication.factor).")
    Short replicationFactor;

    @Override
    public Integer call() {
        if (partitions < 1) {
            throw new ParameterException(spec.commandLine(), "--partitions must be at least 1");
        }
        ensureAndPrint(kafka.clientSettings(), kafka.topics(), partitions, Optional.ofNullable(replicationFactor),
                spec.commandLine().getOut(), spec.commandLine().getErr());
        return 0;
    }

    /** Creates what is missing, prints a table of all topics and, on stderr, what differs from the plan. */
    static List<TopicReport> ensureAndPrint(ClientSettings settings, Topics topics, int partitions,
                                            Optional<Short> replicationFactor, PrintWriter out, PrintWriter err) {
        List<TopicSpec> plan = TopicPlanner.plan(topics, partitions, replicationFactor);
        List<TopicReport> reports;
        try (TopicAdmin admin = TopicAdmin.connect(settings, Duration.ofSeconds(30))) {
            reports = admin.ensure(plan);
        }
        out.printf("%-32s %-8s %10s %8s  %s%n", "TOPIC", "STATUS", "PARTITIONS", "REPLICAS", "RETENTION");
        for (int i = 0; i < plan.size(); i++) {
            TopicReport r = reports.get(i);
            out.printf("%-32s %-8s %10d %8d  %s%n", r.name(), r.status().name().toLowerCase(Locale.ROOT),
                    r.actualPartitions(), r.replicationFactor(), retention(plan.get(i)));
        }
        out.flush();
        for (TopicReport r : reports) {
            for (String difference : r.differences()) {
                err.println("warning: " + r.name() + " " + difference
                        + " (existing topics are left as they are: change them yourself if the plan is right)");
            }
        }
        err.flush();
        return reports;
    }

    private static String retention(TopicSpec spec) {
        long ms = Long.parseLong(spec.configs().get("retention.ms"));
        return ms < 0 ? "forever" : Duration.ofMillis(ms).toDays() + " days";
    }
}
