package io.tpostream.streams;

import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.DefaultProductionExceptionHandler;
import org.apache.kafka.streams.errors.LogAndFailExceptionHandler;
import org.apache.kafka.streams.errors.LogAndFailProcessingExceptionHandler;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

class StreamsSettingsTest {

    private final StreamsSettings settings = StreamsSettings.of("127.0.0.1:9092", Path.of("/var/lib/tpo/state"));

    @Test
    void exactlyOnceWithHandlersThatNeverDropAndNoDefaultSerdes() {
        Properties p = settings.toProperties();
        assertEquals("tpo-pairing", p.get(StreamsConfig.APPLICATION_ID_CONFIG));
        assertEquals("127.0.0.1:9092", p.get(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG));
        assertEquals("/var/lib/tpo/state", p.get(StreamsConfig.STATE_DIR_CONFIG));
        assertEquals("exactly_once_v2", p.get(StreamsConfig.PROCESSING_GUARANTEE_CONFIG));
        assertEquals("100", p.get(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG));
        assertEquals(LogAndFailExceptionHandler.class.getName(),
                p.get(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG));
        assertEquals(LogAndFailProcessingExceptionHandler.class.getName(),
                p.get(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG));
        assertEquals(DefaultProductionExceptionHandler.class.getName(),
                p.get(StreamsConfig.PRODUCTION_EXCEPTION_HANDLER_CLASS_CONFIG));
        assertFalse(p.containsKey(StreamsConfig.DEFAULT_KEY_SERDE_CLASS_CONFIG));
        assertFalse(p.containsKey(StreamsConfig.DEFAULT_VALUE_SERDE_CLASS_CONFIG));
        assertEquals("earliest", p.get("consumer.auto.offset.reset"));
        assertEquals("-1", p.get(StreamsConfig.MAX_TASK_IDLE_MS_CONFIG), "one input partition per task: no idling");
        assertEquals(String.valueOf(8 << 20), p.get("producer.max.request.size"));
        assertEquals(String.valueOf(8 << 20), p.get("topic.max.message.bytes"));
        assertEquals("10000", p.get("producer.transaction.timeout.ms"), "Streams' own default at short intervals");
        assertEquals("true", p.get(StreamsConfig.TRANSACTIONAL_STATE_STORES_CONFIG), "no wipe and restore after a crash");
        assertEquals("lz4", p.get("producer.compression.type"));
        // Kafka accepts the whole set
        new StreamsConfig(p);
    }

    @Test
    void commitIntervalAndExtraPropertiesAreMergedLastSoTheyWin() {
        Properties p = settings.withApplicationId("tpo-pairing-blue").withCommitInterval(Duration.ofSeconds(2))
                .withExtraProperties(Map.of("security.protocol", "SASL_SSL", "num.stream.threads", "4"))
                .withExtraProperties(Map.of("num.stream.threads", "2"))
                .toProperties();
        assertEquals("tpo-pairing-blue", p.get(StreamsConfig.APPLICATION_ID_CONFIG));
        assertEquals("2000", p.get(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG));
        assertEquals("SASL_SSL", p.get("security.protocol"));
        assertEquals("2", p.get("num.stream.threads"));
    }

    @Test
    void aLongCommitIntervalGetsATransactionTimeoutItFitsIn() {
        assertEquals("60000", settings.withCommitInterval(Duration.ofSeconds(20)).toProperties()
                .get("producer.transaction.timeout.ms"));
        assertEquals("5000", settings.withCommitInterval(Duration.ofSeconds(20))
                .withExtraProperties(Map.of("producer.transaction.timeout.ms", "5000")).toProperties()
                .get("producer.transaction.timeout.ms"), "an explicit setting wins");
    }

    @Test
    void nonsenseIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> StreamsSettings.of(" ", Path.of("x")));
        assertThrows(IllegalArgumentException.class, () -> settings.withCommitInterval(Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> settings.withMaxMessageBytes(1000));
    }
}
