package io.tpostream.ops.testing;

import io.tpostream.ops.kafka.ClientSettings;
import io.tpostream.schema.AvroSerde;
import io.tpostream.schema.PreferencePair;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

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
        try (KafkaProducer<String, byte[]> producer = producer(bootstrap)) {
            producer.initTransactions();
            for (int from = 0; from < pairs.size(); from += perTransaction) {
                producer.beginTransaction();
                List<Future<RecordMetadata>> acks = new ArrayList<>();
                List<PreferencePair> chunk = pairs.subList(from, Math.min(from + perTransaction, pairs.size()));
                chunk.forEach(p -> acks.add(send(producer, topic, p)));
                producer.commitTransaction();
                for (int i = 0; i < chunk.size(); i++) {
                    RecordMetadata m = acks.get(i).get();
                    sent.add(new Sent(chunk.get(i).getPairId(), m.partition(), m.offset()));
                }
            }
        } catch (InterruptedException | ExecutionException e) {
            throw new IllegalStateException("could not produce pairs", e);
        }
        return sent;
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
