package io.tpostream.ops.metrics;

import io.tpostream.ops.testing.Http;
import io.tpostream.schema.VersionStatus;
import io.tpostream.trainer.testing.TestVersions;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The metrics port of tpo streams / tpo train: Kafka client metrics and the trainer's, over real HTTP. */
class MetricsEndpointTest {

    @Test
    void kafkaClientAndTrainerMetricsAreScrapedInThePrometheusFormat() throws Exception {
        // a producer never used needs no broker, and has its metrics from the start
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of("bootstrap.servers",
                "127.0.0.1:1", "client.id", "metrics-test"), new ByteArraySerializer(), new ByteArraySerializer());
             PrometheusMetrics metrics = new PrometheusMetrics()) {
            KafkaClientGauges gauges = new KafkaClientGauges(metrics.registry(), producer::metrics);
            TrainerMeters trainer = new TrainerMeters(metrics.registry());
            trainer.trained(1, Map.of("loss", 0.6931, "rewards/margins", 0.0));
            trainer.trained(2, Map.of("loss", 0.5, "rewards/margins", 0.25));
            trainer.published(TestVersions.builder(3, VersionStatus.PASSED).build(), 412);
            trainer.published(TestVersions.builder(4, VersionStatus.REJECTED).build(), 300);
            try (MetricsEndpoint endpoint = MetricsEndpoint.start(metrics, "127.0.0.1", 0, gauges::refresh)) {
                Http http = new Http(endpoint.port());
                Http.Response r = http.get("/metrics");
                assertEquals(200, r.status());
                String text = r.body();
                assertTrue(text.contains("\ntpo_trainer_last_step{metric=\"loss\"} 0.5\n"), text);
                assertTrue(text.contains("\ntpo_trainer_last_step{metric=\"rewards/margins\"} 0.25\n"), text);
                assertTrue(text.contains("\ntpo_trainer_steps 2.0\n"), text);
                assertTrue(text.contains("\ntpo_trainer_version 4.0\n"), text);
                assertTrue(text.contains("tpo_trainer_versions_total{status=\"PASSED\"} 1.0"), text);
                assertTrue(text.contains("tpo_trainer_versions_total{status=\"REJECTED\"} 1.0"), text);
                assertTrue(text.contains("\ntpo_trainer_step_seconds_count 1\n"), "one interval between two steps");
                assertTrue(text.contains("\ntpo_trainer_publish_seconds_sum 0.712\n"), text);
                assertTrue(text.matches("(?s).*\nkafka_producer_record_send\\{client_id=\"metrics-test\"} 0\\.0\n.*"),
                        text);
                assertTrue(text.contains("jvm_memory_used_bytes"), "the JVM's meters too");
                assertEquals(404, http.get("/").status());
            }
        }
    }
}
