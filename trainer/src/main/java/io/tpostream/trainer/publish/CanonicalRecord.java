package io.tpostream.trainer.publish;

import org.apache.avro.Schema;
import org.apache.avro.generic.GenericEnumSymbol;
import org.apache.avro.generic.GenericFixed;
import org.apache.avro.generic.IndexedRecord;
import org.apache.avro.specific.SpecificData;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An unambiguous, canonical byte encoding of an Avro record, for signing: equal records always give equal bytes and
 * different records different bytes, whatever the in-memory representation (map order, string classes, byte-buffer
 * positions). The encoding walks the record's schema:
 * <ul>
 *   <li>a record: for each field in schema order, its name then its value (the names make a reordered or renamed
 *       field a different encoding)</li>
 *   <li>strings and enum symbols: 4-byte length, then UTF-8; bytes and fixed: 4-byte length, then the bytes</li>
 *   <li>int: 4 bytes; long: 8 bytes (timestamps as epoch milliseconds); double and float: their IEEE 754 bits (NaN
 *       canonical); boolean: one byte</li>
 *   <li>a union: 4-byte index of the branch, then the value; null: nothing more</li>
 *   <li>an array: 4-byte count, then the elements in order; a map: 4-byte count, then (key, value) sorted by key</li>
 * </ul>
 * All numbers are big-endian. The encoding starts with a scheme name, so bytes of one purpose never verify for another.
 */
final class CanonicalRecord {

    private CanonicalRecord() {
    }

    /** The record's encoding, leaving out the top-level fields named in {@code skip}. */
    static byte[] encode(String scheme, IndexedRecord record, Set<String> skip) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            string(out, scheme);
            Schema schema = record.getSchema();
            for (Schema.Field f : schema.getFields()) {
                if (!skip.contains(f.name())) {
                    string(out, f.name());
                    value(out, f.schema(), record.get(f.pos()));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("writing to memory", e);
        }
        return bytes.toByteArray();
    }

    private static void value(DataOutputStream out, Schema schema, Object v) throws IOException {
        switch (schema.getType()) {
            case RECORD -> {
                IndexedRecord r = (IndexedRecord) v;
                for (Schema.Field f : schema.getFields()) {
                    string(out, f.name());
                    value(out, f.schema(), r.get(f.pos()));
                }
            }
            case UNION -> {
                int branch = SpecificData.get().resolveUnion(schema, v);
                out.writeInt(branch);
                value(out, schema.getTypes().get(branch), v);
            }
            case NULL -> {
                if (v != null) {
                    throw new IllegalArgumentException("a null field holds " + v);
                }
            }
            case STRING -> string(out, v.toString());
            case ENUM -> string(out, v instanceof GenericEnumSymbol<?> g ? g.toString() : ((Enum<?>) v).name());
            case BYTES -> {
                ByteBuffer b = ((ByteBuffer) v).duplicate();
                out.writeInt(b.remaining());
                byte[] copy = new byte[b.remaining()];
                b.get(copy);
                out.write(copy);
            }
            case FIXED -> {
                byte[] b = ((GenericFixed) v).bytes();
                out.writeInt(b.length);
                out.write(b);
            }
            case INT -> out.writeInt(((Number) v).intValue());
            case LONG -> out.writeLong(v instanceof Instant i ? i.toEpochMilli() : ((Number) v).longValue());
            case FLOAT -> out.writeInt(Float.floatToIntBits(((Number) v).floatValue()));
            case DOUBLE -> out.writeLong(Double.doubleToLongBits(((Number) v).doubleValue()));
            case BOOLEAN -> out.writeBoolean((Boolean) v);
            case ARRAY -> {
                Collection<?> items = (Collection<?>) v;
                out.writeInt(items.size());
                for (Object item : items) {
                    value(out, schema.getElementType(), item);
                }
            }
            case MAP -> {
                List<Map.Entry<?, ?>> entries = new ArrayList<>(((Map<?, ?>) v).entrySet());
                entries.sort((a, b) -> a.getKey().toString().compareTo(b.getKey().toString()));
                out.writeInt(entries.size());
                for (Map.Entry<?, ?> e : entries) {
                    string(out, e.getKey().toString());
                    value(out, schema.getValueType(), e.getValue());
                }
            }
            default -> throw new IllegalArgumentException("no canonical encoding for Avro type " + schema.getType());
        }
    }

    private static void string(DataOutputStream out, String s) throws IOException {
        byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
        out.writeInt(utf8.length);
        out.write(utf8);
    }
}
