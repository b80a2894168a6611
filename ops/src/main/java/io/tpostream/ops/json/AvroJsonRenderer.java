package io.tpostream.ops.json;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tpostream.schema.ImageRef;
import org.apache.avro.LogicalType;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericFixed;
import org.apache.avro.generic.IndexedRecord;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Avro records as plain JSON for people and scripts: no union wrappers ({@code "rating": 4.0}, not
 * {@code {"double": 4.0}}), enums as their names, timestamps as ISO-8601 strings, bytes as base64, map keys
 * sorted, non-finite floats as the strings {@code "NaN"}, {@code "Infinity"}, {@code "-Infinity"}.
 * The encoded image inside an {@link ImageRef} is shown as {@code "<N bytes>"} unless bytes are included:
 * a page of base64 per record helps nobody read a topic.
 */
public final class AvroJsonRenderer {

    private static final String IMAGE_REF = ImageRef.getClassSchema().getFullName();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private final boolean includeImageBytes;

    public AvroJsonRenderer(boolean includeImageBytes) {
        this.includeImageBytes = includeImageBytes;
    }

    public ObjectNode render(IndexedRecord record) {
        return (ObjectNode) render(record.getSchema(), record);
    }

    /** Renders any value of the given schema (as generated, specific or generic Avro classes hold it). */
    public JsonNode render(Schema schema, Object value) {
        if (value == null) {
            return NODES.nullNode();
        }
        return switch (schema.getType()) {
            case NULL -> NODES.nullNode();
            case UNION -> render(unionBranch(schema, value), value);
            case RECORD -> record(schema, (IndexedRecord) value);
            case ENUM, STRING -> NODES.textNode(value.toString());
            case ARRAY -> array(schema.getElementType(), (Collection<?>) value);
            case MAP -> map(schema.getValueType(), (Map<?, ?>) value);
            case BYTES -> NODES.textNode(base64((ByteBuffer) value));
            case FIXED -> NODES.textNode(Base64.getEncoder().encodeToString(((GenericFixed) value).bytes()));
            case INT -> schema.getLogicalType() instanceof LogicalTypes.Date
                    ? NODES.textNode(date(value).toString()) : NODES.numberNode(((Number) value).intValue());
            case LONG -> timestamp(schema.getLogicalType(), value);
            case FLOAT -> decimal(((Number) value).floatValue());
            case DOUBLE -> decimal(((Number) value).doubleValue());
            case BOOLEAN -> NODES.booleanNode((Boolean) value);
        };
    }

    private ObjectNode record(Schema schema, IndexedRecord record) {
        ObjectNode node = NODES.objectNode();
        boolean imageRef = schema.getFullName().equals(IMAGE_REF);
        for (Schema.Field field : schema.getFields()) {
            Object value = record.get(field.pos());
            if (imageRef && !includeImageBytes && field.name().equals("bytes") && value instanceof ByteBuffer b) {
                node.put(field.name(), "<" + b.remaining() + " bytes>");
            } else {
                node.set(field.name(), render(field.schema(), value));
            }
        }
        return node;
    }

    private ArrayNode array(Schema elementType, Collection<?> values) {
        ArrayNode node = NODES.arrayNode();
        for (Object v : values) {
            node.add(render(elementType, v));
        }
        return node;
    }

    private ObjectNode map(Schema valueType, Map<?, ?> values) {
        ObjectNode node = NODES.objectNode();
        Map<String, Object> sorted = new TreeMap<>();
        values.forEach((k, v) -> sorted.put(k.toString(), v));
        sorted.forEach((k, v) -> node.set(k, render(valueType, v)));
        return node;
    }

    private static Schema unionBranch(Schema union, Object value) {
        List<Schema> nonNull = union.getTypes().stream().filter(s -> s.getType() != Schema.Type.NULL).toList();
        if (nonNull.size() == 1) {
            return nonNull.get(0);
        }
        return union.getTypes().get(GenericData.get().resolveUnion(union, value));
    }

    private static JsonNode timestamp(LogicalType type, Object value) {
        if (value instanceof Instant instant) {
            return NODES.textNode(instant.toString());
        }
        long n = ((Number) value).longValue();
        if (type instanceof LogicalTypes.TimestampMillis || type instanceof LogicalTypes.LocalTimestampMillis) {
            return NODES.textNode(Instant.ofEpochMilli(n).toString());
        }
        if (type instanceof LogicalTypes.TimestampMicros || type instanceof LogicalTypes.LocalTimestampMicros) {
            return NODES.textNode(Instant.EPOCH.plusNanos(Math.multiplyExact(n, 1000L)).toString());
        }
        return NODES.numberNode(n);
    }

    private static LocalDate date(Object value) {
        return value instanceof LocalDate d ? d : LocalDate.ofEpochDay(((Number) value).longValue());
    }

    private static JsonNode decimal(double d) {
        if (Double.isNaN(d) || Double.isInfinite(d)) {
            return NODES.textNode(Double.toString(d)); // "NaN", "Infinity", "-Infinity": JSON has no such numbers
        }
        return NODES.numberNode(d);
    }

    private static JsonNode decimal(float f) {
        if (Float.isNaN(f) || Float.isInfinite(f)) {
            return NODES.textNode(Float.toString(f));
        }
        return NODES.numberNode(f);
    }

    static String base64(ByteBuffer buffer) {
        ByteBuffer b = buffer.duplicate(); // leave the record's buffer position alone
        byte[] bytes = new byte[b.remaining()];
        b.get(bytes);
        return Base64.getEncoder().encodeToString(bytes);
    }
}
