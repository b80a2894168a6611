package io.tpostream.ops.serve;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import io.tpostream.ops.kafka.ClientSettings;
import io.tpostream.schema.AvroSerde;
import io.tpostream.schema.FeedbackEvent;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * Produces feedback events to the feedback topic, keyed by image SHA-256 (all feedback on one image meets in one
 * pairing task), with the system's durable idempotent producer settings.
 */
final class KafkaFeedbackSink implements FeedbackSink {

    private static final Duration SEND_TIMEOUT = Duration.ofSeconds(30);

    private final KafkaProducer<String, byte[]> producer;
    private final KafkaClientMetrics metrics;
    private final String topic;
    private final AvroSerde<FeedbackEvent> serde = AvroSerde.of(FeedbackEvent.class);

    KafkaFeedbackSink(ClientSettings settings, String topic, MeterRegistry registry) {
        Properties p = settings.producer();
        p.put(ProducerConfig.CLIENT_ID_CONFIG, "tpo-serve-feedback");
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) SEND_TIMEOUT.toMillis());
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) SEND_TIMEOUT.toMillis() / 2);
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, (int) SEND_TIMEOUT.toMillis());
        this.producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
        this.metrics = new KafkaClientMetrics(producer);
        this.metrics.bindTo(registry);
        this.topic = topic;
    }

    @Override
    public String send(FeedbackEvent event) throws Exception {
        RecordMetadata m = producer.send(new ProducerRecord<>(topic, event.getImage().getSha256(), serde.encode(event)))
                .get(SEND_TIMEOUT.toSeconds() + 5, TimeUnit.SECONDS);
        return m.topic() + "-" + m.partition() + "@" + m.offset();
    }

    @Override
    public void close() {
        metrics.close();
        producer.close(Duration.ofSeconds(10));
    }
}
