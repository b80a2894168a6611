package io.tpostream.ops.testing;

import io.tpostream.ops.kafka.ClientSettings;
import io.tpostream.schema.AvroSerde;
import io.tpostream.schema.PreferencePair;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InvalidTxnStateException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;

/**
 * Writes preference pairs the way the streams app does: Avro single-object encoded, keyed by the image's sha-256,
 * in Kafka transactions, so the pairs topic holds commit (and abort) markers between the records, as in production.
 */
public final class PairProducer {

    /** Where a committed pair landed. */
    public record Sent(String pairId, int partition, long offset) {
    }

    private PairProducer() {
    }

    /** Commits the pairs in transactions of {@code perTransaction}; returns their places in sending order. */
    public static List<Sent> commit(String bootstrap, String topic, List<PreferencePair> pairs, int perTransaction) {
        List<Sent> sent = new ArrayList<>();
        KafkaProducer<String, byte[]> producer = null;
        try {
            for (int from = 0; from < pairs.size(); from += perTransaction) {
                if (producer == null) {
                    producer = producer(bootstrap);
                    producer.initTransactions();
                }
                producer.beginTransaction();
                List<Future<RecordMetadata>> acks = new ArrayList<>();
                List<PreferencePair> chunk = pairs.subList(from, Math.min(from + perTransaction, pairs.size()));
                KafkaProducer<String, byte[]> current = producer;
                chunk.forEach(p -> acks.add(send(current, topic, p)));
                producer.flush();
                List<Sent> placed = new ArrayList<>();
                for (int i = 0; i < chunk.size(); i++) {
                    RecordMetadata m = acks.get(i).get();
                    placed.add(new Sent(chunk.get(i).getPairId(), m.partition(), m.offset()));
                }
                try {
                    producer.commitTransaction();
                } catch (InvalidTxnStateException e) {
                    // Kafka 4.4 with transactions v2, on a loaded box: a commit's EndTxn was answered
                    // INVALID_TXN_STATE after the coordinator had completed it (broker log: "state is
                    // COMPLETE_COMMIT, but received transaction marker result to send: COMMIT"). The producer is
                    // then unusable, but the transaction may well have committed: ask the log, and go on with a new
                    // producer. A chunk that did not commit is sent again.
                    producer.close(Duration.ZERO);
                    producer = null;
                    if (!committed(bootstrap, topic, placed.get(0))) {
                        from -= perTransaction;
                        continue;
                    }
                }
                sent.addAll(placed);
            }
        } catch (InterruptedException | ExecutionException e) {
            throw new IllegalStateException("could not produce pairs", e);
        } finally {
            if (producer != null) {
                producer.close();
            }
        }
        return sent;
    }

    /**
     * Whether the transaction that wrote this record committed: once the partition's last stable offset is past it,
     * a read_committed reader starting at its offset sees it first, or skips it if it was aborted.
     */
    private static boolean committed(String bootstrap, String topic, Sent record) {
        TopicPartition tp = new TopicPartition(topic, record.partition());
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(ClientSettings.of(bootstrap).consumer(null),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.assign(List.of(tp));
            long deadline = System.nanoTime() + Kafka.DEADLINE.toNanos();
            while (consumer.endOffsets(List.of(tp)).get(tp) <= record.offset()) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("the transaction holding " + record + " never ended");
                }
                consumer.poll(Duration.ofMillis(100));
            }
            consumer.seek(tp, record.offset());
            while (consumer.position(tp) <= record.offset()) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("could not read " + tp + " at " + record.offset());
                }
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                    if (r.offset() >= record.offset()) {
                        return r.offset() == record.offset();
                    }
                }
            }
            return false;
        }
    }

    /** Sends the pairs in one transaction and aborts it: offsets a read_committed reader never sees. */
    public static void abort(String bootstrap, String topic, List<PreferencePair> pairs) {
        try (KafkaProducer<String, byte[]> producer = producer(bootstrap)) {
            producer.initTransactions();
            producer.beginTransaction();
            pairs.forEach(p -> send(producer, topic, p));
            producer.flush();
            producer.abortTransaction();
        }
    }

    private static Future<RecordMetadata> send(KafkaProducer<String, byte[]> producer, String topic, PreferencePair p) {
        byte[] value = AvroSerde.of(PreferencePair.class).encode(p);
        return producer.send(new ProducerRecord<>(topic, p.getImage().getSha256(), value));
    }

    private static KafkaProducer<String, byte[]> producer(String bootstrap) {
        return new KafkaProducer<>(ClientSettings.of(bootstrap).transactionalProducer("test-pairs-" + UUID.randomUUID()),
                new StringSerializer(), new ByteArraySerializer());
    }
}
