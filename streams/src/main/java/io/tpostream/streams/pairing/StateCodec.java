package io.tpostream.streams.pairing;

import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Binary formats of the state-store values. They are written to changelog topics and read back by later releases
 * after a restore, so each starts with a format version; change a format only by adding a version. Numbers are
 * big-endian; strings and byte arrays are length-prefixed (an int, -1 for null).
 */
final class StateCodec {

    private static final byte KEY_STATE_V1 = 1;
    private static final byte HELD_RATING_V1 = 1;
    private static final int SLOT_BYTES = 8 + 8 + 8 + 8 + 1;
    private static final byte STAMPED_V1 = 1;

    private StateCodec() {
    }

    /** [version][counterStart][counterPairs][n][n x (idHash, timestamp, rating, textHash, paired)] */
    static Serde<KeyState> keyStateSerde() {
        Serializer<KeyState> ser = (topic, k) -> {
            if (k == null) {
                return null;
            }
            ByteBuffer out = ByteBuffer.allocate(1 + 8 + 4 + 4 + k.held().size() * SLOT_BYTES);
            out.put(KEY_STATE_V1).putLong(k.counterStart()).putInt(k.counterPairs()).putInt(k.held().size());
            for (KeyState.Slot h : k.held()) {
                out.putLong(h.idHash()).putLong(h.timestamp()).putDouble(h.rating()).putLong(h.textHash());
                out.put((byte) (h.paired() ? 1 : 0));
            }
            return out.array();
        };
        Deserializer<KeyState> de = (topic, bytes) -> bytes == null ? null : read(bytes, in -> {
            expectVersion(in, KEY_STATE_V1, "KeyState");
            long counterStart = in.getLong();
            int counterPairs = in.getInt();
            int n = count(in, SLOT_BYTES);
            List<KeyState.Slot> held = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                held.add(new KeyState.Slot(in.getLong(), in.getLong(), in.getDouble(), in.getLong(), getBoolean(in)));
            }
            return new KeyState(counterStart, counterPairs, List.copyOf(held));
        });
        return Serdes.serdeFrom(ser, de);
    }

    /**
     * [version][eventId][timestamp][rating][occurredAt][response][partition][offset][modelName][tenant]
     * [image uri or null][image bytes or null][mediaType][width][height]
     */
    static Serde<HeldRating> heldRatingSerde() {
        Serializer<HeldRating> ser = (topic, h) -> {
            if (h == null) {
                return null;
            }
            HeldRating.Image img = h.image();
            byte[][] t = {utf8(h.eventId()), utf8(h.response()), utf8(h.modelName()), utf8(h.tenant()),
                    img.uri() == null ? null : utf8(img.uri()), img.bytes(), utf8(img.mediaType())};
            int size = 1 + 8 + 8 + 8 + 4 + 8 + 4 + 4;
            for (byte[] b : t) {
                size += length(b);
            }
            ByteBuffer out = ByteBuffer.allocate(size);
            out.put(HELD_RATING_V1);
            putBytes(out, t[0]);
            out.putLong(h.timestamp()).putDouble(h.rating()).putLong(h.occurredAt());
            putBytes(out, t[1]);
            out.putInt(h.partition()).putLong(h.offset());
            for (int i = 2; i < t.length; i++) {
                putBytes(out, t[i]);
            }
            out.putInt(img.width()).putInt(img.height());
            return out.array();
        };
        Deserializer<HeldRating> de = (topic, bytes) -> bytes == null ? null : read(bytes, in -> {
            expectVersion(in, HELD_RATING_V1, "HeldRating");
            String eventId = getString(in);
            long timestamp = in.getLong();
            double rating = in.getDouble();
            long occurredAt = in.getLong();
            String response = getString(in);
            int partition = in.getInt();
            long offset = in.getLong();
            String modelName = getString(in);
            String tenant = getString(in);
            byte[] uri = getBytes(in);
            byte[] imageBytes = getBytes(in);
            String mediaType = getString(in);
            HeldRating.Image image = new HeldRating.Image(uri == null ? null : new String(uri, StandardCharsets.UTF_8),
                    imageBytes, mediaType, in.getInt(), in.getInt());
            return new HeldRating(eventId, timestamp, rating, occurredAt, response, partition, offset, modelName,
                    tenant, image);
        });
        return Serdes.serdeFrom(ser, de);
    }

    /** A count of entries at least {@code minBytes} each, checked against what is left before allocating. */
    private static int count(ByteBuffer in, int minBytes) {
        int n = in.getInt();
        if (n < 0 || (long) n * minBytes > in.remaining()) {
            throw new IllegalStateException("impossible entry count " + n);
        }
        return n;
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
