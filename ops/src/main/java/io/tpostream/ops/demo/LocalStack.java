package io.tpostream.ops.demo;

import io.tpostream.ops.broker.EmbeddedKafkaBroker;
import io.tpostream.ops.kafka.ClientSettings;
import io.tpostream.ops.kafka.TopicAdmin;
import io.tpostream.ops.kafka.TopicPlanner;
import io.tpostream.schema.Topics;
import io.tpostream.streams.PairingApp;
import io.tpostream.streams.PairingConfig;
import io.tpostream.streams.StreamsSettings;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;

/**
 * The Kafka half of the system on this machine: a fresh embedded KRaft broker under {@code dir/kafka}, the system's
 * topics, and the pairing app (state under {@code dir/streams}). Shared by the demo and the end-to-end benchmark.
 */
public final class LocalStack implements AutoCloseable {

    private final EmbeddedKafkaBroker broker;
    private final ClientSettings client;
    private final Topics topics = Topics.defaults();
    private final PairingApp streams;

    private LocalStack(EmbeddedKafkaBroker broker, PairingApp streams) {
        this.broker = broker;
        this.client = ClientSettings.of(broker.bootstrapServers());
        this.streams = streams;
    }

    /** Starts everything and waits until the pairing app runs; data from an earlier run in {@code dir} is removed. */
    public static LocalStack start(Path dir, PairingConfig pairing) throws Exception {
        for (String fresh : new String[] {"kafka", "streams"}) {
            deleteRecursively(dir.resolve(fresh));
        }
        EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.builder().dataDir(dir.resolve("kafka")).start();
        try {
            ClientSettings client = ClientSettings.of(broker.bootstrapServers());
            try (TopicAdmin admin = TopicAdmin.connect(client, Duration.ofSeconds(60))) {
                admin.ensure(TopicPlanner.plan(Topics.defaults()));
            }
            PairingApp streams = new PairingApp(Topics.defaults(), pairing,
                    StreamsSettings.of(broker.bootstrapServers(), dir.resolve("streams")));
            try {
                streams.start();
                streams.awaitRunning(Duration.ofSeconds(120));
            } catch (Exception e) {
                streams.close();
                throw e;
            }
            return new LocalStack(broker, streams);
        } catch (Exception e) {
            broker.close();
            throw e;
        }
    }

    public ClientSettings client() {
        return client;
    }

    public Topics topics() {
        return topics;
    }

    public PairingApp streams() {
        return streams;
    }

    @Override
    public void close() {
        streams.close();
        broker.close();
    }

    public static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (var walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
