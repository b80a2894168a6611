package io.tpostream.schema;

import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.generic.IndexedRecord;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.util.Utf8;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;

/**
 * Finds text that is not UTF-8. Avro strings are UTF-8 by definition, but Avro's decoder turns malformed bytes into
 * U+FFFD without a word, so a corrupt or hostile writer's garbage would become training text. Only records whose
 * decoded text contains U+FFFD are checked (a legitimate U+FFFD is valid UTF-8 and passes): the record is read again,
 * generically and without converting strings, and every string's raw bytes are decoded strictly.
 */
final class StrictUtf8 {

    private static final char REPLACEMENT = '\uFFFD';

    private StrictUtf8() {
    }

    /** Whether any text in the decoded datum shows a replacement character, i.e. its decoding may have been lossy. */
    static boolean mayBeLossy(Object datum) {
        if (datum instanceof CharSequence text) {
            return text.toString().indexOf(REPLACEMENT) >= 0;
        }
        if (datum instanceof IndexedRecord record) {
            int fields = record.getSchema().getFields().size();
            for (int i = 0; i < fields; i++) {
                if (mayBeLossy(record.get(i))) {
                    return true;
                }
            }
        } else if (datum instanceof Map<?, ?> map) {
            for (Map.Entry<?, ?> e : map.entrySet()) {
                if (mayBeLossy(e.getKey()) || mayBeLossy(e.getValue())) {
                    return true;
                }
            }
        } else if (datum instanceof Collection<?> items) {
            for (Object item : items) {
                if (mayBeLossy(item)) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * The path of the first string in a single-object encoded record whose bytes are not UTF-8, e.g.
     * {@code prompt} or {@code attributes[key]}; empty if all are valid (or the record cannot be read at all).
     */
    static Optional<String> firstInvalid(byte[] singleObject, SchemaCatalog catalog) {
        if (singleObject.length < AvroSerde.HEADER_BYTES) {
            return Optional.empty();
        }
        long fingerprint = ByteBuffer.wrap(singleObject, 2, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        Schema writer = catalog.findByFingerprint(fingerprint);
        if (writer == null) {
            return Optional.empty();
        }
        try {
            BinaryDecoder in = DecoderFactory.get().binaryDecoder(singleObject, AvroSerde.HEADER_BYTES,
                    singleObject.length - AvroSerde.HEADER_BYTES, null);
            return firstInvalid(new RawStringReader(writer).read(null, in), "");
        } catch (IOException | RuntimeException e) {
            return Optional.empty(); // unreadable this way: the ordinary decoder already accepted it
        }
    }

    private static Optional<String> firstInvalid(Object value, String path) {
        if (value instanceof Utf8 text) {
            return valid(text) ? Optional.empty() : Optional.of(path);
        }
        if (value instanceof GenericRecord record) {
            for (Schema.Field f : record.getSchema().getFields()) {
                Optional<String> bad = firstInvalid(record.get(f.pos()), path.isEmpty() ? f.name() : path + "." + f.name());
                if (bad.isPresent()) {
                    return bad;
                }
            }
        } else if (value instanceof Map<?, ?> map) {
            for (Map.Entry<?, ?> entry : map.entrySet()) {
                String at = path + "[" + entry.getKey() + "]";
                Optional<String> bad = firstInvalid(entry.getKey(), at + " (key)").or(() -> firstInvalid(entry.getValue(), at));
                if (bad.isPresent()) {
                    return bad;
                }
            }
        } else if (value instanceof Collection<?> items) {
            int i = 0;
            for (Object item : items) {
                Optional<String> bad = firstInvalid(item, path + "[" + i++ + "]");
                if (bad.isPresent()) {
                    return bad;
                }
            }
        }
        return Optional.empty();
    }

    private static boolean valid(Utf8 text) {
        try {
            StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(text.getBytes(), 0, text.getByteLength()));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }

    /**
     * Generic records without Avro's fast reader: the fast reader picks the string class from the schema's
     * {@code avro.java.string} property by itself and would convert to String anyway.
     */
    private static final GenericData SLOW_GENERIC = new GenericData();

    static {
        SLOW_GENERIC.setFastReaderEnabled(false);
    }

    /** Reads strings as {@link Utf8}, whatever the schema asks for, so that their bytes stay as written. */
    private static final class RawStringReader extends GenericDatumReader<Object> {
        RawStringReader(Schema schema) {
            super(schema, schema, SLOW_GENERIC);
        }

        @Override
        protected Class<?> findStringClass(Schema schema) {
            return CharSequence.class;
        }
    }
}
