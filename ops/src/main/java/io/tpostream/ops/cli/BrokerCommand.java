package io.tpostream.ops.cli;

import io.tpostream.ops.broker.EmbeddedKafkaBroker;
import io.tpostream.ops.kafka.ClientSettings;
import io.tpostream.ops.kafka.TopicPlanner;
import picocli.CommandLine.Command;
import picocli.CommandLine.Help;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

@Command(name = "broker",
        description = {
                "Runs a single-node Kafka broker (KRaft, broker and controller in one) in the foreground on "
                        + "127.0.0.1, until Ctrl-C.",
                "Prints 'bootstrap: 127.0.0.1:PORT' on its own line when it is ready, then creates the system's "
                        + "topics (see 'tpo topics --help')."})
final class BrokerCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--port", paramLabel = "P", defaultValue = "0",
            description = "Client port; 0 picks a free one.")
    int port;

    @Option(names = "--controller-port", paramLabel = "P", defaultValue = "0",
            description = "KRaft controller port; 0 picks a free one.")
    int controllerPort;

    @Option(names = "--data-dir", paramLabel = "DIR",
            description = "Keep the data here and reuse it on the next start (default: a temporary directory, "
                    + "deleted on exit).")
    Path dataDir;

    @Option(names = "--skip-topics", description = "Do not create the system's topics.")
    boolean skipTopics;

    @Option(names = "--partitions", paramLabel = "N", defaultValue = "" + TopicPlanner.DEFAULT_PARTITIONS,
            description = "Partitions of feedback, pairs and feedback.dlq.")
    int partitions;

    @Option(names = "--set", paramLabel = "KEY=VALUE", showDefaultValue = Help.Visibility.NEVER,
            description = "A broker setting, e.g. --set log.segment.bytes=1048576; repeatable; wins over the "
                    + "single-node defaults.")
    Map<String, String> settings = new LinkedHashMap<>();

    @Mixin
    TopicPrefixOption topicPrefix;

    @Override
    public Integer call() throws InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        EmbeddedKafkaBroker.Builder builder = EmbeddedKafkaBroker.builder()
                .port(port).controllerPort(controllerPort).overrides(settings);
        if (dataDir != null) {
            builder.dataDir(dataDir);
        }
        EmbeddedKafkaBroker broker = builder.build();

        CountDownLatch stopped = new CountDownLatch(1);
        Thread stopOnExit = new Thread(() -> {
            err.println("stopping the broker...");
            err.flush();
            broker.close();
            out.println("broker stopped");
            out.flush();
            stopped.countDown();
        }, "tpo-broker-stop");
        Runtime.getRuntime().addShutdownHook(stopOnExit);
        try {
            broker.start();
            out.println("bootstrap: " + broker.bootstrapServers());
            out.flush();
            err.println("data: " + broker.dataDir() + (dataDir == null ? " (temporary, deleted on exit)" : "")
                    + ", cluster id " + broker.clusterId());
            if (!skipTopics) {
                TopicsCommand.ensureAndPrint(ClientSettings.of(broker.bootstrapServers()), topicPrefix.topics(),
                        partitions, Optional.empty(), out, err);
            }
        } catch (RuntimeException e) {
            Runtime.getRuntime().removeShutdownHook(stopOnExit);
            broker.close();
            throw e;
        }
        err.println("Ready. In another shell: export TPO_BOOTSTRAP_SERVERS=" + broker.bootstrapServers()
                + "   Ctrl-C stops the broker.");
        err.flush();
        stopped.await(); // the shutdown hook ends the process
        return 0;
    }
}
