package io.tpostream.ops.bench;

import io.tpostream.ops.broker.EmbeddedKafkaBroker;
import io.tpostream.ops.kafka.ClientSettings;
import io.tpostream.ops.kafka.KafkaCalls;
import io.tpostream.ops.kafka.TopicAdmin;
import io.tpostream.ops.kafka.TopicPlanner;
import io.tpostream.ops.kafka.TopicSpec;
import io.tpostream.schema.Topics;
import io.tpostream.streams.PairingApp;
import io.tpostream.streams.StreamsSettings;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.LogDirDescription;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.ReplicaInfo;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * A benchmark's own Kafka: an embedded broker on 127.0.0.1 in a temporary directory, the system's topics, a fast
 * producer to fill the input, and streams apps timed from RUNNING until their input is committed. Everything it
 * creates is deleted on close.
 */
final class BenchBroker implements AutoCloseable {

    private static final Duration TIMEOUT = Duration.ofMinutes(30);

    private final EmbeddedKafkaBroker broker;
    private final Path stateRoot;
    private final ClientSettings clients;

    BenchBroker() {
        this.broker = EmbeddedKafkaBroker.builder().start();
        this.clients = ClientSettings.of(broker.bootstrapServers());
        try {
            this.stateRoot = Files.createTempDirectory("tpo-bench-state-");
        } catch (IOException e) {
            broker.close();
            throw new UncheckedIOException(e);
        }
    }

    ClientSettings clients() {
        return clients;
    }

    /**
     * The system's topics with the given prefix and partitions, plus any extra topics (same settings as pairs). The
     * feedback topic keeps the producer's timestamps (CreateTime), unlike in production: a benchmark's workload
     * simulates hours of traffic through its record timestamps, and its producer is trusted.
     */
    void createTopics(Topics topics, int partitions, String... extra) {
        List<TopicSpec> plan = new ArrayList<>();
        for (TopicSpec spec : TopicPlanner.plan(topics, partitions, Optional.empty())) {
            Map<String, String> configs = new HashMap<>(spec.configs());
            configs.remove(TopicPlanner.TIMESTAMP_TYPE);
            plan.add(new TopicSpec(spec.name(), spec.partitions(), spec.replicationFactor(), configs));
        }
        ensure(plan, partitions, extra);
    }

    /** The system's topics exactly as production plans them (the feedback topic stamps records itself). */
    void createProductionTopics(Topics topics, int partitions) {
        ensure(TopicPlanner.plan(topics, partitions, Optional.empty()), partitions);
    }

    private void ensure(List<TopicSpec> planned, int partitions, String... extra) {
        List<TopicSpec> plan = new ArrayList<>(planned);
        TopicSpec pairs = plan.stream().filter(s -> s.name().endsWith("pairs")).findFirst().orElseThrow();
        for (String name : extra) {
            plan.add(new TopicSpec(name, partitions, Optional.empty(), pairs.configs()));
        }
        try (TopicAdmin admin = TopicAdmin.connect(clients, Duration.ofSeconds(60))) {
            admin.ensure(plan);
        }
    }

    /** What a producer run cost. */
    record Produced(long records, long bytes, Duration elapsed) {
    }

    /**
     * Sends every record the generator yields, as fast as the broker takes them: 128 KiB batches, lz4, a little
     * linger, acks=all with idempotence (the system's producer settings, tuned for volume).
     */
    Produced produce(String topic, long total, Consumer<Consumer<ProducerRecord<byte[], byte[]>>> generator,
                     Progress progress) {
        Properties p = clients.producer();
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, String.valueOf(128 * 1024));
        p.put(ProducerConfig.LINGER_MS_CONFIG, "10");
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        p.put(ProducerConfig.BUFFER_MEMORY_CONFIG, String.valueOf(64L << 20));
        AtomicLong acked = new AtomicLong();
        AtomicLong bytes = new AtomicLong();
        AtomicReference<Exception> failure = new AtomicReference<>();
        long start = System.nanoTime();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(),
                new ByteArraySerializer())) {
            generator.accept(record -> {
                if (failure.get() != null) {
                    throw new IllegalStateException("sending failed: " + failure.get(), failure.get());
                }
                bytes.addAndGet(record.value() == null ? 0 : record.value().length);
                producer.send(record, (m, e) -> {
                    if (e != null) {
                        failure.compareAndSet(null, e);
                    } else {
                        acked.incrementAndGet();
                    }
                });
                progress.update("produce ", acked.get(), total);
            });
            producer.flush();
        }
        if (failure.get() != null || acked.get() != total) {
            throw new IllegalStateException("sent " + acked.get() + " of " + total + " records"
                    + (failure.get() == null ? "" : ": " + failure.get()), failure.get());
        }
        progress.update("produce ", total, total);
        return new Produced(total, bytes.get(), Duration.ofNanos(System.nanoTime() - start));
    }

    /** Sends the records with the system's producer settings; returns where each landed, in order. */
    List<RecordMetadata> sendAll(List<ProducerRecord<byte[], byte[]>> records, Progress progress) throws Exception {
        Properties p = clients.producer();
        p.put(ProducerConfig.LINGER_MS_CONFIG, "10");
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(),
                new ByteArraySerializer())) {
            List<Future<RecordMetadata>> acks = new ArrayList<>();
            for (ProducerRecord<byte[], byte[]> r : records) {
                acks.add(producer.send(r));
            }
            List<RecordMetadata> out = new ArrayList<>();
            for (Future<RecordMetadata> ack : acks) {
                out.add(ack.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS));
                progress.update("produce ", out.size(), records.size());
            }
            return out;
        }
    }

    /** Every committed record of the topic, from the beginning to its current end. */
    List<ConsumerRecord<byte[], byte[]>> readAll(String topic) {
        Properties p = clients.consumer(null);
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "5000");
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(i -> new TopicPartition(topic, i.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("could not read " + topic + " within " + TIMEOUT);
                }
                consumer.poll(Duration.ofMillis(200)).forEach(out::add);
            }
            return out;
        }
    }

    /**
     * A streams app's timed run over an input that was complete before it started.
     *
     * @param processCpu CPU time of this whole JVM meanwhile (the broker's included)
     * @param appCpu     CPU time of the app's own threads (stream threads, their producers and consumers)
     */
    record Timed(Duration elapsed, Duration processCpu, Duration appCpu, Map<String, Duration> cpuByThread,
                 Map<String, Long> metrics, Changelogs changelogs) {
    }

    /**
     * What the app's state changelogs hold once its run committed: bytes in the broker's log segments (record
     * batches as stored, transaction markers included) and records (log end offsets, markers included).
     */
    record Changelogs(long bytes, long records) {
    }

    /**
     * Runs the topology as a fresh application until it has committed the end of its input. The clock starts when
     * the app is RUNNING (group joined, tasks assigned; there is no state to restore) and stops when the group's
     * committed offsets reach the input's end offsets: under exactly_once_v2 those offsets commit in the same
     * transaction as the output, so at that moment every output record is committed and visible to
     * read_committed readers.
     */
    Timed runUntilCommitted(String label, String applicationId, Topology topology, String inputTopic,
                            Duration commitInterval, int threads, Map<String, String> streamsSettings,
                            Progress progress) throws Exception {
        Map<String, String> extra = new HashMap<>(streamsSettings);
        extra.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, String.valueOf(threads));
        StreamsSettings settings = clients.streamsSettings(applicationId, stateRoot.resolve(applicationId))
                .withCommitInterval(commitInterval)
                .withExtraProperties(extra);
        try (Admin admin = Admin.create(clients.admin()); PairingApp app = new PairingApp(topology, settings)) {
            Map<TopicPartition, Long> end = endOffsets(admin, inputTopic);
            long total = end.values().stream().mapToLong(Long::longValue).sum();
            app.start();
            app.awaitRunning(Duration.ofMinutes(2));
            CpuClock cpu = new CpuClock(applicationId);
            long start = System.nanoTime();
            long deadline = start + TIMEOUT.toNanos();
            while (true) {
                long committed = committed(admin, applicationId, end);
                progress.update(label, committed, total);
                if (committed >= total) {
                    break;
                }
                if (app.isDead()) {
                    throw new IllegalStateException(label + " stopped: " + app.state()
                            + app.failure().map(f -> " after " + f).orElse(""));
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(label + " did not finish within " + TIMEOUT);
                }
                Thread.sleep(50);
            }
            Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
            return new Timed(elapsed, cpu.process(), cpu.threads(), cpu.byGroup(), app.metricsSnapshot(),
                    changelogs(admin, applicationId));
        }
    }

    /** The sizes of the changelog topics Kafka Streams created for the application. */
    private static Changelogs changelogs(Admin admin, String applicationId) {
        List<String> topics = KafkaCalls.await(admin.listTopics().names(), Duration.ofSeconds(30), "list topics")
                .stream().filter(t -> t.startsWith(applicationId + "-") && t.endsWith("-changelog")).toList();
        if (topics.isEmpty()) {
            return new Changelogs(0, 0);
        }
        Map<Integer, Map<String, LogDirDescription>> dirs = KafkaCalls.await(admin.describeLogDirs(
                KafkaCalls.await(admin.describeCluster().nodes(), Duration.ofSeconds(30), "describe the cluster")
                        .stream().map(n -> n.id()).toList()).allDescriptions(), Duration.ofSeconds(30),
                "describe log dirs");
        long bytes = 0;
        for (Map<String, LogDirDescription> byDir : dirs.values()) {
            for (LogDirDescription d : byDir.values()) {
                for (Map.Entry<TopicPartition, ReplicaInfo> r : d.replicaInfos().entrySet()) {
                    if (topics.contains(r.getKey().topic())) {
                        bytes += r.getValue().size();
                    }
                }
            }
        }
        long records = 0;
        for (String topic : topics) {
            records += endOffsets(admin, topic).values().stream().mapToLong(Long::longValue).sum();
        }
        return new Changelogs(bytes, records);
    }

    private static Map<TopicPartition, Long> endOffsets(Admin admin, String topic) {
        int partitions = KafkaCalls.await(admin.describeTopics(List.of(topic)).allTopicNames(), Duration.ofSeconds(30),
                "describe " + topic).get(topic).partitions().size();
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        for (int i = 0; i < partitions; i++) {
            latest.put(new TopicPartition(topic, i), OffsetSpec.latest());
        }
        Map<TopicPartition, Long> end = new HashMap<>();
        KafkaCalls.await(admin.listOffsets(latest).all(), Duration.ofSeconds(30), "list offsets of " + topic)
                .forEach((tp, info) -> end.put(tp, info.offset()));
        return end;
    }

    /** The group's committed offsets on the input, summed, each capped at the partition's end. */
    private static long committed(Admin admin, String groupId, Map<TopicPartition, Long> end) {
        Map<TopicPartition, OffsetAndMetadata> offsets = KafkaCalls.await(
                admin.listConsumerGroupOffsets(groupId).partitionsToOffsetAndMetadata(), Duration.ofSeconds(30),
                "list the offsets of group " + groupId);
        long sum = 0;
        for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
            OffsetAndMetadata o = offsets.get(e.getKey());
            sum += o == null ? 0 : Math.min(o.offset(), e.getValue());
        }
        return sum;
    }

    @Override
    public void close() {
        try {
            broker.close();
        } finally {
            deleteRecursively(stateRoot);
        }
    }

    private static void deleteRecursively(Path dir) {
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + dir, e);
        }
    }
}
