package io.tpostream.streams.pairing;

import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * Binary formats of the state-store values. They are written to changelog topics and read back by later releases
 * after a restore, so each starts with a format version; change a format only by adding a version.
 */
final class StateCodec {

    private static final byte HELD_RATING_V1 = 1;
    private static final byte HELD_SOURCE_V1 = 1;

    private StateCodec() {
    }

    static Serde<HeldRating> heldRatingSerde() {
        Serializer<HeldRating> ser = (topic, r) -> r == null ? null : write(out -> {
            out.writeByte(HELD_RATING_V1);
            writeString(out, r.eventId());
            out.writeLong(r.timestamp());
            out.writeLong(r.expiresAt());
            out.writeDouble(r.rating());
            out.writeLong(r.occurredAt());
            writeString(out, r.response());
            out.writeBoolean(r.paired());
        });
        Deserializer<HeldRating> de = (topic, bytes) -> bytes == null ? null : read(bytes, in -> {
            expectVersion(in, HELD_RATING_V1, "HeldRating");
            return new HeldRating(readString(in), in.readLong(), in.readLong(), in.readDouble(), in.readLong(),
                    readString(in), in.readBoolean());
        });
        return Serdes.serdeFrom(ser, de);
    }

    static Serde<HeldSource> heldSourceSerde() {
        Serializer<HeldSource> ser = (topic, s) -> s == null ? null : write(out -> {
            out.writeByte(HELD_SOURCE_V1);
            writeString(out, s.origin().topic());
            out.writeInt(s.origin().partition());
            out.writeLong(s.origin().offset());
            writeBytes(out, s.rawKey());
            writeBytes(out, s.rawValue());
        });
        Deserializer<HeldSource> de = (topic, bytes) -> bytes == null ? null : read(bytes, in -> {
            expectVersion(in, HELD_SOURCE_V1, "HeldSource");
            RecordOrigin origin = new RecordOrigin(readString(in), in.readInt(), in.readLong());
            return new HeldSource(origin, readBytes(in), readBytes(in));
        });
        return Serdes.serdeFrom(ser, de);
    }

    private interface Writer {
        void write(DataOutputStream out) throws IOException;
    }

    private interface Reader<T> {
        T read(DataInputStream in) throws IOException;
    }

    private static byte[] write(Writer writer) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(128);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            writer.write(out);
        } catch (IOException e) {
            throw new SerializationException("cannot encode state", e);
        }
        return bytes.toByteArray();
    }

    private static <T> T read(byte[] bytes, Reader<T> reader) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            return reader.read(in);
        } catch (IOException | RuntimeException e) {
            throw new SerializationException("corrupt state-store value (" + bytes.length + " bytes)", e);
        }
    }

    private static void expectVersion(DataInputStream in, byte expected, String what) throws IOException {
        byte version = in.readByte();
        if (version != expected) {
            throw new IOException(what + " format version " + version + " is unknown to this release");
        }
    }

    // length-prefixed UTF-8: DataOutputStream.writeUTF stops at 64 KiB
    private static void writeString(DataOutputStream out, String s) throws IOException {
        writeBytes(out, s.getBytes(StandardCharsets.UTF_8));
    }

    private static String readString(DataInputStream in) throws IOException {
        byte[] b = readBytes(in);
        if (b == null) {
            throw new IOException("null string");
        }
        return new String(b, StandardCharsets.UTF_8);
    }

    private static void writeBytes(DataOutputStream out, byte[] b) throws IOException {
        if (b == null) {
            out.writeInt(-1);
        } else {
            out.writeInt(b.length);
            out.write(b);
        }
    }

    private static byte[] readBytes(DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n == -1) {
            return null;
        }
        if (n < 0 || n > in.available()) {
            throw new IOException("impossible length " + n);
        }
        byte[] b = new byte[n];
        in.readFully(b);
        return b;
    }
}
