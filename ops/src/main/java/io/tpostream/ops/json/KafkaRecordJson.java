package io.tpostream.ops.json;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tpostream.schema.AvroSerde;
import io.tpostream.schema.UndecodableRecordException;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;

/**
 * A consumed Kafka record as one JSON object: where it is, its key, and its value decoded as the topic's
 * record type, or an {@code error} object when the value is not a record this build can read (never an
 * exception: one bad record must not hide the rest of a topic).
 *
 * <pre>
 * {"topic":"tpo.pairs","partition":0,"offset":42,"timestamp":"2026-03-01T12:00:00.123Z","key":"9f86d0...",
 *  "value":{...}}
 * {"topic":"tpo.feedback","partition":1,"offset":7,"timestamp":"...","key":"...",
 *  "error":{"reason":"BAD_HEADER","message":"...","size":12}}
 * </pre>
 * Keys that are not UTF-8 appear as {@code "keyBase64"}; headers, if any, as {@code "headers"} (name to UTF-8
 * text); with bytes included, an error object also carries the raw value as {@code "base64"}.
 */
public final class KafkaRecordJson {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private final AvroSerde<? extends SpecificRecord> serde;
    private final AvroJsonRenderer renderer;
    private final boolean includeBytes;

    public KafkaRecordJson(Class<? extends SpecificRecord> valueType, boolean includeBytes) {
        this.serde = AvroSerde.of(valueType);
        this.renderer = new AvroJsonRenderer(includeBytes);
        this.includeBytes = includeBytes;
    }

    public ObjectNode render(ConsumerRecord<byte[], byte[]> record) {
        ObjectNode node = NODES.objectNode();
        node.put("topic", record.topic());
        node.put("partition", record.partition());
        node.put("offset", record.offset());
        node.put("timestamp", Instant.ofEpochMilli(record.timestamp()).toString());
        putKey(node, record.key());
        if (record.headers().iterator().hasNext()) {
            ObjectNode headers = node.putObject("headers");
            for (Header h : record.headers()) {
                headers.put(h.key(), h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8));
            }
        }
        byte[] value = record.value();
        if (value == null) {
            node.putNull("value");
            return node;
        }
        try {
            node.set("value", renderer.render(serde.decode(value)));
        } catch (UndecodableRecordException e) {
            node.set("error", error(e.reason().name(), e.getMessage(), value));
        } catch (RuntimeException e) {
            // a decoded record that does not render is a bug here, but the record still deserves a line
            node.set("error", error("UNRENDERABLE", e.toString(), value));
        }
        return node;
    }

    private ObjectNode error(String reason, String message, byte[] value) {
        ObjectNode error = NODES.objectNode();
        error.put("reason", reason);
        error.put("message", message);
        error.put("size", value.length);
        if (includeBytes) {
            error.put("base64", Base64.getEncoder().encodeToString(value));
        }
        return error;
    }

    private static void putKey(ObjectNode node, byte[] key) {
        if (key == null) {
            node.putNull("key");
            return;
        }
        try {
            node.put("key", StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(key)).toString());
        } catch (CharacterCodingException e) {
            node.put("keyBase64", Base64.getEncoder().encodeToString(key));
        }
    }
}
