package io.tpostream.streams.pairing;

import io.tpostream.schema.ImageRef;

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
    private static final byte SIGHTING_V1 = 1;
    private static final byte HELD_RATING_V1 = 1;
    private static final int SLOT_BYTES = 8 + 8 + 8 + 8 + 1;

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
     * [version][eventId][occurredAt][response][offset][modelName][modelVersion][tenant][has image: 0 or 1], and with
     * an image
     * [sha256][uri or null][bytes][mediaType][width][height]
     */
    static Serde<HeldRating> heldRatingSerde() {
        Serializer<HeldRating> ser = (topic, h) -> {
            if (h == null) {
                return null;
            }
            byte[][] t = texts(h);
            int size = 1 + 8 + 8 + 8 + 1 + (h.inlineImage() == null ? 0 : 8);
            for (byte[] b : t) {
                size += length(b);
            }
            ByteBuffer out = ByteBuffer.allocate(size);
            out.put(HELD_RATING_V1);
            putContent(out, h, t);
            return out.array();
        };
        Deserializer<HeldRating> de = (topic, bytes) -> bytes == null ? null : read(bytes, in -> {
            expectVersion(in, HELD_RATING_V1, "HeldRating");
            return getContent(in);
        });
        return Serdes.serdeFrom(ser, de);
    }

    /** The texts of a held rating's content, encoded: event id, response, model, tenant, then the image's. */
    private static byte[][] texts(HeldRating h) {
        ImageRef img = h.inlineImage();
        return img == null ? new byte[][] {utf8(h.eventId()), utf8(h.response()), utf8(h.modelName()),
                utf8(h.tenant())}
                : new byte[][] {utf8(h.eventId()), utf8(h.response()), utf8(h.modelName()), utf8(h.tenant()),
                utf8(img.getSha256()), img.getUri() == null ? null : utf8(img.getUri()), bytes(img.getBytes()),
                utf8(img.getMediaType())};
    }

    private static void putContent(ByteBuffer out, HeldRating h, byte[][] t) {
        putBytes(out, t[0]);
        out.putLong(h.occurredAt());
        putBytes(out, t[1]);
        out.putLong(h.offset());
        putBytes(out, t[2]);
        out.putLong(h.modelVersion());
        putBytes(out, t[3]);
        ImageRef img = h.inlineImage();
        out.put((byte) (img == null ? 0 : 1));
        if (img != null) {
            for (int i = 4; i < t.length; i++) {
                putBytes(out, t[i]);
            }
            out.putInt(img.getWidth()).putInt(img.getHeight());
        }
    }

    private static HeldRating getContent(ByteBuffer in) {
        String eventId = getString(in);
        long occurredAt = in.getLong();
        String response = getString(in);
        long offset = in.getLong();
        String modelName = getString(in);
        long modelVersion = in.getLong();
        String tenant = getString(in);
        ImageRef image = null;
        if (getBoolean(in)) {
            String sha = getString(in);
            byte[] uri = getBytes(in);
            byte[] imageBytes = getBytes(in);
            String mediaType = getString(in);
            image = ImageRef.newBuilder().setSha256(sha)
                    .setUri(uri == null ? null : new String(uri, StandardCharsets.UTF_8))
                    .setBytes(imageBytes == null ? null : ByteBuffer.wrap(imageBytes)).setMediaType(mediaType)
                    .setWidth(in.getInt()).setHeight(in.getInt()).build();
        }
        return new HeldRating(eventId, occurredAt, response, offset, modelName, modelVersion, tenant, image);
    }

    private static byte[] bytes(ByteBuffer b) {
        if (b == null) {
            return null;
        }
        byte[] out = new byte[b.remaining()];
        b.duplicate().get(out);
        return out;
    }

    /** [version][time][offset] */
    static Serde<RecentIds.Sighting> sightingSerde() {
        Serializer<RecentIds.Sighting> ser = (topic, s) -> s == null ? null
                : ByteBuffer.allocate(1 + 8 + 8).put(SIGHTING_V1).putLong(s.time()).putLong(s.offset()).array();
        Deserializer<RecentIds.Sighting> de = (topic, bytes) -> bytes == null ? null : read(bytes, in -> {
            expectVersion(in, SIGHTING_V1, "Sighting");
            return new RecentIds.Sighting(in.getLong(), in.getLong());
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
