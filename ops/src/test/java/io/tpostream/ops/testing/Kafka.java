package io.tpostream.ops.testing;

import io.tpostream.ops.kafka.ClientSettings;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/** Plain Kafka client chores for integration tests: send raw records, read topics, wait for a group to catch up. */
public final class Kafka {

    public static final Duration DEADLINE = Duration.ofSeconds(120);

    private Kafka() {
    }

    /** A raw record as sent, and where it landed. */
    public record Sent<T>(T input, int partition, long offset) {
    }

    /** Sends raw key/value pairs and waits for every acknowledgement; the result is in input order. */
    public static <T> List<Sent<T>> send(String bootstrap, String topic, List<T> inputs,
                                         Function<T, byte[]> key, Function<T, byte[]> value) throws Exception {
        Properties p = ClientSettings.of(bootstrap).producer();
        p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(),
                new ByteArraySerializer())) {
            List<Future<RecordMetadata>> acks = new ArrayList<>();
            for (T input : inputs) {
                acks.add(producer.send(new ProducerRecord<>(topic, key.apply(input), value.apply(input))));
            }
            List<Sent<T>> sent = new ArrayList<>();
            for (int i = 0; i < inputs.size(); i++) {
                RecordMetadata m = acks.get(i).get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
                sent.add(new Sent<>(inputs.get(i), m.partition(), m.offset()));
            }
            return sent;
        }
    }

    /** Every record of the topics, from the beginning to the current end, as a consumer of that isolation sees it. */
    public static List<ConsumerRecord<byte[], byte[]>> readAll(String bootstrap, Collection<String> topics,
                                                               boolean committedOnly) {
        Properties p = ClientSettings.of(bootstrap).consumer(null);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, committedOnly ? "read_committed" : "read_uncommitted");
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "5000");
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = topics.stream().flatMap(t -> consumer.partitionsFor(t).stream()
                    .map(i -> new TopicPartition(t, i.partition()))).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            // read_committed: the end is the last stable offset, before any open transaction
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
            long deadline = System.nanoTime() + DEADLINE.toNanos();
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("could not read " + topics + " to " + end + " within " + DEADLINE);
                }
                consumer.poll(Duration.ofMillis(200)).forEach(out::add);
            }
            return out;
        }
    }

    /** How many records a consumer of that isolation sees now (aborted ones count only when reading uncommitted). */
    public static long count(String bootstrap, Collection<String> topics, boolean committedOnly) {
        return readAll(bootstrap, topics, committedOnly).size();
    }

    /**
     * Waits until the consumer group has committed the end offset of every partition of the topic: under
     * exactly-once, offsets commit in the same transaction as the output, so everything read is also written.
     */
    public static void awaitCaughtUp(String bootstrap, String groupId, String topic) throws Exception {
        try (Admin admin = Admin.create(ClientSettings.of(bootstrap).admin())) {
            int partitions = admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS)
                    .get(topic).partitions().size();
            Map<TopicPartition, OffsetSpec> latest = IntStream.range(0, partitions).boxed()
                    .collect(Collectors.toMap(i -> new TopicPartition(topic, i), i -> OffsetSpec.latest()));
            Map<TopicPartition, Long> end = new HashMap<>();
            admin.listOffsets(latest).all().get(30, TimeUnit.SECONDS).forEach((tp, r) -> end.put(tp, r.offset()));
            Supplier<Map<TopicPartition, Long>> committed = () -> {
                try {
                    Map<TopicPartition, Long> c = new HashMap<>();
                    Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(groupId)
                            .partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
                    offsets.forEach((tp, o) -> {
                        if (o != null && tp.topic().equals(topic)) {
                            c.put(tp, o.offset());
                        }
                    });
                    return c;
                } catch (InterruptedException | ExecutionException | TimeoutException e) {
                    return Map.of();
                }
            };
            await("group " + groupId + " to commit " + end + " (committed: %s)", () -> {
                Map<TopicPartition, Long> c = committed.get();
                return end.entrySet().stream().allMatch(e -> e.getValue() == 0
                        || e.getValue().equals(c.get(e.getKey())));
            }, () -> String.valueOf(committed.get()));
        }
    }

    /** Waits until no transaction is open on the topics: the last stable offset is the end of every partition. */
    public static void awaitNoOpenTransactions(String bootstrap, Collection<String> topics) throws Exception {
        try (Offsets offsets = new Offsets(bootstrap, topics)) {
            await("the transactions on " + topics + " to end (%s)", offsets::noneOpen,
                    () -> offsets.stableEnd() + " stable of " + offsets.logEnd());
        }
    }

    /**
     * The end offsets of some topics, summed over their partitions, as the broker knows them now: cheap enough to
     * poll. On topics written only by transactions, the log end minus the last stable offset is output that an
     * open transaction holds.
     */
    public static final class Offsets implements AutoCloseable {
        private final Admin admin;
        private final Map<TopicPartition, OffsetSpec> partitions = new HashMap<>();

        public Offsets(String bootstrap, Collection<String> topics) throws Exception {
            admin = Admin.create(ClientSettings.of(bootstrap).admin());
            admin.describeTopics(topics).allTopicNames().get(30, TimeUnit.SECONDS).forEach((t, d) ->
                    d.partitions().forEach(p -> partitions.put(new TopicPartition(t, p.partition()),
                            OffsetSpec.latest())));
        }

        /**
         * True when, at one instant, no transaction held output. The stable end is read first: the log end never
         * falls, so if a later log end equals an earlier stable end, nothing was open at the earlier read.
         */
        public boolean noneOpen() {
            long stable = stableEnd();
            return logEnd() == stable;
        }

        /**
         * True when an open transaction holds output. The log end is read first: output that was in the log then and
         * is still not stable afterwards is held by a transaction open at the second read. (The opposite order, or a
         * stable end above zero taken as "committed", also holds while a commit's markers are still being written to
         * some partitions: a kill that follows finds the transaction already committed.)
         */
        public boolean someOpen() {
            long log = logEnd();
            return log > stableEnd();
        }

        /**
         * Waits until output has been committed and no transaction is open, so that whatever is open afterwards holds
         * only output of input sent after this returns.
         */
        public void awaitCommittedAndSettled(Supplier<String> state) throws InterruptedException {
            await("a first commit with no transaction open (%s)", () -> stableEnd() > 0 && noneOpen(), state);
        }

        /** Waits until an open transaction holds output. */
        public void awaitOpenTransaction(Supplier<String> state) throws InterruptedException {
            await("output in an open transaction (%s)", this::someOpen, state);
        }

        /** Sum of the last stable offsets: everything before them is decided (committed or aborted). */
        public long stableEnd() {
            return sum(new ListOffsetsOptions(IsolationLevel.READ_COMMITTED));
        }

        /** Sum of the log end offsets. */
        public long logEnd() {
            return sum(new ListOffsetsOptions(IsolationLevel.READ_UNCOMMITTED));
        }

        private long sum(ListOffsetsOptions options) {
            try {
                return admin.listOffsets(partitions, options).all().get(30, TimeUnit.SECONDS).values().stream()
                        .mapToLong(ListOffsetsResult.ListOffsetsResultInfo::offset).sum();
            } catch (InterruptedException | ExecutionException | TimeoutException e) {
                throw new AssertionError("cannot list offsets of " + partitions.keySet(), e);
            }
        }

        @Override
        public void close() {
            admin.close();
        }
    }

    /** Polls the condition until it holds; fails after {@link #DEADLINE} with the description. */
    public static void await(String what, BooleanSupplier condition, Supplier<String> state)
            throws InterruptedException {
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + DEADLINE.toSeconds() + " s waiting for "
                        + what.formatted(state.get()));
            }
            Thread.sleep(100);
        }
    }
}
