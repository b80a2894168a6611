package io.tpostream.trainer.online;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.util.HashMap;
import java.util.Map;

/** The trainer's Kafka clients: settings the exactly-once publishing depends on are forced here. */
final class TrainerClients {

    /** Checkpoints travel by reference, but a window's token traces can add up; versions stay small. */
    private static final int MAX_REQUEST_BYTES = 16 << 20;

    private TrainerClients() {
    }

    /** The transactional producer whose id is the model's: a second trainer of the model fences this one. */
    static KafkaProducer<String, byte[]> producer(OnlineTrainerConfig config) {
        Map<String, Object> p = new HashMap<>(config.clientConfig());
        p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, config.transactionalId());
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, 60_000);
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, MAX_REQUEST_BYTES);
        return new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
    }

    /**
     * The consumer of the model's group: reads committed pairs only and never commits on its own. It is a static
     * member whose instance id is the model's: a restarted trainer takes over its partitions at once instead of
     * waiting out the dead one's session, and a second trainer of the model fences this one's consumer as its
     * transactional id fences the producer.
     */
    static KafkaConsumer<byte[], byte[]> consumer(OnlineTrainerConfig config) {
        Map<String, Object> p = new HashMap<>(config.clientConfig());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, config.consumerGroup());
        p.put(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, config.consumerGroup());
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, config.maxQueuedPairs());
        p.put(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, 300_000);
        return new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }
}
