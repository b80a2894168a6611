package io.tpostream.ops.json;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tpostream.schema.AvroSerde;
import io.tpostream.schema.PreferencePair;
import io.tpostream.schema.FeedbackKind;
import io.tpostream.schema.ImageRef;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class KafkaRecordJsonTest {

    private static final long TIMESTAMP = 1_767_225_600_123L;

    private static ConsumerRecord<byte[], byte[]> record(byte[] key, byte[] value) {
        return new ConsumerRecord<>("tpo.pairs", 2, 41, TIMESTAMP, TimestampType.CREATE_TIME,
                key == null ? -1 : key.length, value == null ? -1 : value.length, key, value, new RecordHeaders(),
                Optional.empty());
    }

    private static PreferencePair pair() {
        return PreferencePair.newBuilder().setPairId("pid").setPrompt("p").setChosen("c").setRejected("r")
                .setImage(ImageRef.newBuilder().setSha256("ef".repeat(32)).build()).setMargin(1.0)
                .setSourceKind(FeedbackKind.CORRECTION).setSourceEventIds(List.of("e1", "e2"))
                .setSourceOccurredAt(Instant.ofEpochMilli(5)).setModelName("m").setGeneratorVersion("g1")
                .setCreatedAt(Instant.ofEpochMilli(TIMESTAMP)).build();
    }

    @Test
    void decodedRecordWithItsPlace() {
        byte[] value = AvroSerde.of(PreferencePair.class).encode(pair());
        ObjectNode json = new KafkaRecordJson(PreferencePair.class, false)
                .render(record("img-sha".getBytes(StandardCharsets.UTF_8), value));
        assertEquals("tpo.pairs", json.get("topic").textValue());
        assertEquals(2, json.get("partition").intValue());
        assertEquals(41, json.get("offset").longValue());
        assertEquals("2026-01-01T00:00:00.123Z", json.get("timestamp").textValue());
        assertEquals("img-sha", json.get("key").textValue());
        assertEquals("pid", json.get("value").get("pairId").textValue());
        assertEquals("e2", json.get("value").get("sourceEventIds").get(1).textValue());
        assertFalse(json.has("error"));
        assertFalse(json.has("headers"));
    }

    @Test
    void undecodableValueBecomesAnErrorObject() {
        byte[] garbage = "{\"not\":\"avro\"}".getBytes(StandardCharsets.UTF_8);
        ObjectNode json = new KafkaRecordJson(PreferencePair.class, false).render(record(null, garbage));
        assertTrue(json.get("key").isNull());
        assertFalse(json.has("value"));
        assertEquals("BAD_HEADER", json.get("error").get("reason").textValue());
        assertEquals(garbage.length, json.get("error").get("size").intValue());
        assertFalse(json.get("error").has("base64"));

        ObjectNode withBytes = new KafkaRecordJson(PreferencePair.class, true).render(record(null, garbage));
        assertEquals(Base64.getEncoder().encodeToString(garbage), withBytes.get("error").get("base64").textValue());
    }

    @Test
    void truncatedBodyIsCorrupt() {
        byte[] value = AvroSerde.of(PreferencePair.class).encode(pair());
        byte[] cut = Arrays.copyOf(value, 14);
        ObjectNode json = new KafkaRecordJson(PreferencePair.class, false).render(record(null, cut));
        assertEquals("CORRUPT_BODY", json.get("error").get("reason").textValue());
    }

    @Test
    void binaryKeysTombstonesAndHeaders() {
        byte[] key = {(byte) 0xff, (byte) 0xfe};
        ConsumerRecord<byte[], byte[]> r = record(key, null);
        r.headers().add("source", "demo".getBytes(StandardCharsets.UTF_8));
        ObjectNode json = new KafkaRecordJson(PreferencePair.class, false).render(r);
        assertNull(json.get("key"));
        assertEquals("//4=", json.get("keyBase64").textValue());
        assertTrue(json.get("value").isNull());
        assertEquals("demo", json.get("headers").get("source").textValue());
    }
}
