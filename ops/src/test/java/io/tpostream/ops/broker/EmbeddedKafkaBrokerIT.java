package io.tpostream.ops.broker;

import io.tpostream.ops.kafka.ClientSettings;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EmbeddedKafkaBrokerIT {

    private static final String TOPIC = "restart-me";
    private static final Duration DEADLINE = Duration.ofSeconds(60);

    @TempDir
    Path dataDir;

    @Test
    void keepsCommittedRecordsAcrossRestarts() throws Exception {
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.builder().dataDir(dataDir).start()) {
            String bootstrap = broker.bootstrapServers();
            assertEquals("127.0.0.1:" + broker.port(), bootstrap);
            String clusterId = broker.clusterId();
            assertTrue(Files.exists(dataDir.resolve("meta.properties")));

            ClientSettings settings = ClientSettings.of(bootstrap);
            try (Admin admin = Admin.create(settings.admin())) {
                admin.createTopics(List.of(new NewTopic(TOPIC, 2, (short) 1))).all().get(30, TimeUnit.SECONDS);
            }
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(
                    settings.transactionalProducer("restart-test"), new StringSerializer(), new StringSerializer())) {
                producer.initTransactions();
                producer.beginTransaction();
                for (String v : List.of("a", "b", "c")) {
                    producer.send(new ProducerRecord<>(TOPIC, v, v));
                }
                producer.commitTransaction();
                producer.beginTransaction();
                producer.send(new ProducerRecord<>(TOPIC, "x", "aborted"));
                producer.flush();
                producer.abortTransaction();
            }
            assertEquals(Set.of("a", "b", "c"), Set.copyOf(readAll(settings)), "read_committed skips the aborted one");

            broker.stop();
            assertFalse(broker.isRunning());
            broker.restart();
            assertTrue(broker.isRunning());
            assertEquals(bootstrap, broker.bootstrapServers(), "same port after a restart");
            assertEquals(clusterId, broker.clusterId());
            assertEquals(Set.of("a", "b", "c"), Set.copyOf(readAll(settings)));

            // clients keep working against the restarted broker
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(settings.producer(),
                    new StringSerializer(), new StringSerializer())) {
                producer.send(new ProducerRecord<>(TOPIC, "d", "d")).get(30, TimeUnit.SECONDS);
            }
            assertEquals(Set.of("a", "b", "c", "d"), Set.copyOf(readAll(settings)));
        }
        assertTrue(Files.exists(dataDir.resolve("meta.properties")), "a given data dir is kept on close");

        // a new broker on the same directory, on other ports: what `tpo broker --data-dir` does on its next run
        try (EmbeddedKafkaBroker again = EmbeddedKafkaBroker.builder().dataDir(dataDir).start()) {
            assertEquals(Set.of("a", "b", "c", "d"), Set.copyOf(readAll(ClientSettings.of(again.bootstrapServers()))));
        }
    }

    @Test
    void temporaryDataDirIsDeletedOnClose() {
        Path dir;
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.builder().start()) {
            dir = broker.dataDir();
            assertTrue(Files.isDirectory(dir));
            assertNotEquals(0, broker.port());
        }
        assertFalse(Files.exists(dir));
    }

    @Test
    void aPortInUseGivesAClearError() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.builder().dataDir(dataDir).port(taken.getLocalPort())
                    .build();
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    broker::start);
            assertTrue(e.getMessage().startsWith("Kafka broker did not start on 127.0.0.1:" + taken.getLocalPort()),
                    e.getMessage());
            assertTrue(e.getMessage().contains("Address already in use"), e.getMessage());
            assertFalse(broker.isRunning());
            broker.close();
        }
    }

    /** Every committed value of the topic, read from the beginning until the end offsets are reached. */
    private static List<String> readAll(ClientSettings settings) {
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(settings.consumer(null),
                new StringDeserializer(), new StringDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(TOPIC, DEADLINE).stream()
                    .map(p -> new TopicPartition(TOPIC, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, DEADLINE);
            List<String> values = new ArrayList<>();
            long deadline = System.nanoTime() + DEADLINE.toNanos();
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                assertTrue(System.nanoTime() < deadline, "records did not arrive within " + DEADLINE);
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                    values.add(r.value());
                }
            }
            return values;
        }
    }
}
