package io.tpostream.streams.pairing;

import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Binary formats of the state-store values. They are written to changelog topics and read back by later releases
 * after a restore, so each starts with a format version; change a format only by adding a version. Numbers are
 * big-endian; strings and byte arrays are length-prefixed (an int, -1 for null).
 */
final class StateCodec {

    private static final byte HELD_RATING_V1 = 1;
    private static final byte HELD_SOURCE_V1 = 1;
    private static final byte STAMPED_V1 = 1;

    private StateCodec() {
    }

    static Serde<HeldRating> heldRatingSerde() {
        Serializer<HeldRating> ser = (topic, r) -> {
            if (r == null) {
                return null;
            }
            byte[] id = utf8(r.eventId());
            byte[] response = utf8(r.response());
            ByteBuffer out = ByteBuffer.allocate(1 + 4 + id.length + 8 + 8 + 8 + 8 + 4 + response.length + 1);
            out.put(HELD_RATING_V1);
            putBytes(out, id);
            out.putLong(r.timestamp()).putLong(r.expiresAt()).putDouble(r.rating()).putLong(r.occurredAt());
            putBytes(out, response);
            out.put((byte) (r.paired() ? 1 : 0));
            return out.array();
        };
        Deserializer<HeldRating> de = (topic, bytes) -> bytes == null ? null : read(bytes, in -> {
            expectVersion(in, HELD_RATING_V1, "HeldRating");
            return new HeldRating(getString(in), in.getLong(), in.getLong(), in.getDouble(), in.getLong(),
                    getString(in), getBoolean(in));
        });
        return Serdes.serdeFrom(ser, de);
    }

    static Serde<HeldSource> heldSourceSerde() {
        Serializer<HeldSource> ser = (topic, s) -> {
            if (s == null) {
                return null;
            }
            byte[] sourceTopic = utf8(s.origin().topic());
            ByteBuffer out = ByteBuffer.allocate(1 + 4 + sourceTopic.length + 4 + 8 + length(s.rawKey())
                    + length(s.rawValue()));
            out.put(HELD_SOURCE_V1);
            putBytes(out, sourceTopic);
            out.putInt(s.origin().partition()).putLong(s.origin().offset());
            putBytes(out, s.rawKey());
            putBytes(out, s.rawValue());
            return out.array();
        };
        Deserializer<HeldSource> de = (topic, bytes) -> bytes == null ? null : read(bytes, in -> {
            expectVersion(in, HELD_SOURCE_V1, "HeldSource");
            RecordOrigin origin = new RecordOrigin(getString(in), in.getInt(), in.getLong());
            return new HeldSource(origin, getBytes(in), getBytes(in));
        });
        return Serdes.serdeFrom(ser, de);
    }

    /** A value with the exact time it was recorded: [version][time][inner value]. */
    static <V> Serde<Stamped<V>> stampedSerde(Serde<V> inner) {
        Serializer<Stamped<V>> ser = (topic, s) -> {
            if (s == null) {
                return null;
            }
            byte[] value = inner.serializer().serialize(topic, s.value());
            ByteBuffer out = ByteBuffer.allocate(1 + 8 + length(value));
            out.put(STAMPED_V1).putLong(s.time());
            putBytes(out, value);
            return out.array();
        };
        Deserializer<Stamped<V>> de = (topic, bytes) -> bytes == null ? null : read(bytes, in -> {
            expectVersion(in, STAMPED_V1, "Stamped");
            long time = in.getLong();
            return new Stamped<>(time, inner.deserializer().deserialize(topic, getBytes(in)));
        });
        return Serdes.serdeFrom(ser, de);
    }

    private interface Reader<T> {
        T read(ByteBuffer in);
    }

    private static <T> T read(byte[] bytes, Reader<T> reader) {
        try {
            ByteBuffer in = ByteBuffer.wrap(bytes);
            T value = reader.read(in);
            if (in.hasRemaining()) {
                throw new IllegalStateException(in.remaining() + " bytes left over");
            }
            return value;
        } catch (RuntimeException e) {
            throw new SerializationException("corrupt state-store value (" + bytes.length + " bytes)", e);
        }
    }

    private static void expectVersion(ByteBuffer in, byte expected, String what) {
        byte version = in.get();
        if (version != expected) {
            throw new IllegalStateException(what + " format version " + version + " is unknown to this release");
        }
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static int length(byte[] b) {
        return 4 + (b == null ? 0 : b.length);
    }

    private static void putBytes(ByteBuffer out, byte[] b) {
        if (b == null) {
            out.putInt(-1);
        } else {
            out.putInt(b.length).put(b);
        }
    }

    private static String getString(ByteBuffer in) {
        byte[] b = getBytes(in);
        if (b == null) {
            throw new IllegalStateException("null string");
        }
        return new String(b, StandardCharsets.UTF_8);
    }

    private static boolean getBoolean(ByteBuffer in) {
        byte b = in.get();
        if (b != 0 && b != 1) {
            throw new IllegalStateException("not a boolean: " + b);
        }
        return b == 1;
    }

    private static byte[] getBytes(ByteBuffer in) {
        int n = in.getInt();
        if (n == -1) {
            return null;
        }
        if (n < 0 || n > in.remaining()) {
            throw new BufferUnderflowException();
        }
        byte[] b = new byte[n];
        in.get(b);
        return b;
    }
}
