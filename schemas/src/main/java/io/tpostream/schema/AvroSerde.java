package io.tpostream.schema;

import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.message.BadHeaderException;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.message.MissingSchemaException;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;
import org.apache.avro.util.ClassSecurityValidator;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.HexFormat;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Kafka serde for the generated records using Avro single-object encoding: a two-byte marker, the 8-byte
 * fingerprint of the writer schema, then the Avro binary body. No registry service is needed; the writer
 * schema is found in a {@link SchemaCatalog}. Thread-safe.
 */
public final class AvroSerde<T extends SpecificRecord> implements Serde<T> {

    /** Bytes before the datum in single-object encoding: the 2-byte marker and the 8-byte schema fingerprint. */
    static final int HEADER_BYTES = 10;

    private static final Set<String> TRUSTED_PACKAGES = ConcurrentHashMap.newKeySet();

    static {
        // A corrupt length prefix must not make the decoder allocate gigabytes: Avro reads these limits once,
        // when its decoder classes load. A Kafka record is at most a few MiB, so anything longer is corrupt.
        System.setProperty("org.apache.avro.limits.bytes.maxLength",
                System.getProperty("org.apache.avro.limits.bytes.maxLength", String.valueOf(64 << 20)));
        System.setProperty("org.apache.avro.limits.string.maxLength",
                System.getProperty("org.apache.avro.limits.string.maxLength", String.valueOf(16 << 20)));
        System.setProperty("org.apache.avro.limits.collectionItems.maxLength",
                System.getProperty("org.apache.avro.limits.collectionItems.maxLength", String.valueOf(1 << 20)));
    }

    private final Class<T> type;
    private final SchemaCatalog catalog;
    private final Schema schema;
    private final BinaryMessageEncoder<T> encoder;
    private final BinaryMessageDecoder<T> decoder;

    public AvroSerde(Class<T> type, SchemaCatalog catalog) {
        this.type = type;
        this.catalog = catalog;
        trustPackage(type.getPackageName());
        SpecificData model = SpecificData.getForClass(type);
        this.schema = model.getSchema(type);
        this.encoder = new BinaryMessageEncoder<>(model, schema);
        this.decoder = new BinaryMessageDecoder<>(model, schema, catalog);
    }

    public static <T extends SpecificRecord> AvroSerde<T> of(Class<T> type) {
        return new AvroSerde<>(type, SchemaCatalog.standard());
    }

    /**
     * Avro refuses to instantiate classes outside an allow-list while decoding (the CVE-2024-47561 fix); our
     * generated records are safe to build.
     */
    private static synchronized void trustPackage(String pkg) {
        if (TRUSTED_PACKAGES.add(pkg)) {
            ClassSecurityValidator.setGlobal(ClassSecurityValidator.composite(
                    ClassSecurityValidator.getGlobal(), c -> pkg.equals(c.getPackageName())));
        }
    }

    public byte[] encode(T record) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream(256);
            encoder.encode(record, out);
            return out.toByteArray();
        } catch (IOException e) {
            throw new SerializationException("cannot encode " + type.getSimpleName(), e);
        }
    }

    /**
     * The record as a generic record of its own schema: for tools and tests that write what a typed record cannot
     * hold (an older or newer schema's fields, bytes that are not UTF-8) and encode it with {@link #encodeGeneric}.
     */
    public GenericRecord toGeneric(T record) {
        byte[] bytes = encode(record);
        try {
            return new GenericDatumReader<GenericRecord>(schema).read(null,
                    DecoderFactory.get().binaryDecoder(bytes, HEADER_BYTES, bytes.length - HEADER_BYTES, null));
        } catch (IOException e) {
            throw new SerializationException("cannot read back " + type.getSimpleName(), e);
        }
    }

    /** A generic record in single-object encoding under {@code writer}: what a producer of that schema sends. */
    public static byte[] encodeGeneric(Schema writer, GenericRecord record) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream(256);
            new BinaryMessageEncoder<GenericRecord>(GenericData.get(), writer).encode(record, out);
            return out.toByteArray();
        } catch (IOException e) {
            throw new SerializationException("cannot encode " + writer.getFullName(), e);
        }
    }

    /**
     * Decodes one record.
     *
     * @throws UndecodableRecordException with the cause classified, for anything that is not a readable record
     */
    public T decode(byte[] bytes) {
        if (bytes == null) {
            throw new UndecodableRecordException(UndecodableRecordException.Cause.BAD_HEADER,
                    type.getSimpleName() + ": null value", null);
        }
        try {
            ByteArrayInputStream in = new ByteArrayInputStream(bytes);
            T record = decoder.decode(in, null);
            // a record is exactly one datum: bytes after it are corruption (or something smuggled in), and the
            // decoder would otherwise ignore them without a word
            if (in.available() > 0) {
                throw new UndecodableRecordException(UndecodableRecordException.Cause.CORRUPT_BODY,
                        type.getSimpleName() + ": " + in.available() + " bytes after the end of the record", null);
            }
            // Avro turns bytes that are not UTF-8 into U+FFFD without a word; only then is the record read again
            if (StrictUtf8.mayBeLossy(record)) {
                Optional<String> field = StrictUtf8.firstInvalid(bytes, catalog);
                if (field.isPresent()) {
                    throw new UndecodableRecordException(UndecodableRecordException.Cause.CORRUPT_BODY,
                            type.getSimpleName() + ": text field '" + field.get() + "' is not valid UTF-8", null);
                }
            }
            return record;
        } catch (MissingSchemaException e) {
            throw new UndecodableRecordException(UndecodableRecordException.Cause.UNKNOWN_SCHEMA,
                    type.getSimpleName() + ": writer schema fingerprint " + fingerprintHex(bytes)
                            + " is in no release this reader knows; upgrade this reader, or add the writer's schema"
                            + " to schemas/src/main/resources/avro-history", e);
        } catch (BadHeaderException e) {
            throw new UndecodableRecordException(UndecodableRecordException.Cause.BAD_HEADER,
                    type.getSimpleName() + ": not an Avro single-object record (" + e.getMessage() + ")", e);
        } catch (IOException | AvroRuntimeException | IndexOutOfBoundsException | NegativeArraySizeException
                 | IllegalArgumentException | UnsupportedOperationException | ClassCastException e) {
            // corrupt bodies surface as many exception types, from EOF to absurd declared lengths
            throw new UndecodableRecordException(UndecodableRecordException.Cause.CORRUPT_BODY,
                    type.getSimpleName() + ": corrupt record body (" + e + ")", e);
        }
    }

    private static String fingerprintHex(byte[] bytes) {
        if (bytes.length < HEADER_BYTES) {
            return "(truncated)";
        }
        byte[] fp = new byte[8];
        for (int i = 0; i < 8; i++) {
            fp[i] = bytes[9 - i]; // little-endian on the wire, shown big-endian like SchemaNormalization does
        }
        return "0x" + HexFormat.of().formatHex(fp);
    }

    @Override
    public Serializer<T> serializer() {
        return (topic, data) -> data == null ? null : encode(data);
    }

    @Override
    public Deserializer<T> deserializer() {
        return (topic, bytes) -> bytes == null ? null : decode(bytes);
    }
}
