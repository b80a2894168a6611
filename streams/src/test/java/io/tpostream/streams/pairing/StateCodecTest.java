package io.tpostream.streams.pairing;

import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

class StateCodecTest {

    private final Serde<HeldRating> ratings = StateCodec.heldRatingSerde();
    private final Serde<HeldSource> sources = StateCodec.heldSourceSerde();

    @Test
    void heldRatingsRoundTripIncludingLongUnicodeTexts() {
        HeldRating r = new HeldRating("e-1", 1_000L, 2_000L, 4.5, 900L, "ü".repeat(40_000), true);
        assertEquals(r, ratings.deserializer().deserialize("t", ratings.serializer().serialize("t", r)));
    }

    @Test
    void heldSourcesRoundTripWithOrWithoutAKey() {
        HeldSource s = new HeldSource(new RecordOrigin("tpo.feedback", 3, 77L), null, new byte[] {1, 2, 3});
        HeldSource back = sources.deserializer().deserialize("t", sources.serializer().serialize("t", s));
        assertEquals(s.origin(), back.origin());
        assertNull(back.rawKey());
        assertArrayEquals(s.rawValue(), back.rawValue());
    }

    @Test
    void corruptOrFutureBytesAreASerializationException() {
        byte[] good = ratings.serializer().serialize("t", new HeldRating("e", 1, 2, 3, 4, "x", false));
        assertThrows(SerializationException.class,
                () -> ratings.deserializer().deserialize("t", Arrays.copyOf(good, good.length - 3)));
        byte[] future = good.clone();
        future[0] = 9;
        assertThrows(SerializationException.class, () -> ratings.deserializer().deserialize("t", future));
    }

    /** The first release wrote these with DataOutputStream; a restore must read those bytes unchanged. */
    @Test
    void theV1FormatsAreReadAsTheFirstReleaseWroteThem() throws IOException {
        ByteArrayOutputStream rating = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(rating)) {
            out.writeByte(1);
            writeString(out, "e-7");
            out.writeLong(10L);
            out.writeLong(20L);
            out.writeDouble(2.5);
            out.writeLong(9L);
            writeString(out, "a cat");
            out.writeBoolean(true);
        }
        assertEquals(new HeldRating("e-7", 10L, 20L, 2.5, 9L, "a cat", true),
                ratings.deserializer().deserialize("t", rating.toByteArray()));
        assertArrayEquals(rating.toByteArray(), ratings.serializer().serialize("t",
                new HeldRating("e-7", 10L, 20L, 2.5, 9L, "a cat", true)), "and writes them the same way");

        ByteArrayOutputStream source = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(source)) {
            out.writeByte(1);
            writeString(out, "tpo.feedback");
            out.writeInt(2);
            out.writeLong(42L);
            out.writeInt(-1);
            out.writeInt(2);
            out.write(new byte[] {7, 8});
        }
        HeldSource back = sources.deserializer().deserialize("t", source.toByteArray());
        assertEquals(new RecordOrigin("tpo.feedback", 2, 42L), back.origin());
        assertNull(back.rawKey());
        assertArrayEquals(new byte[] {7, 8}, back.rawValue());
        assertArrayEquals(source.toByteArray(), sources.serializer().serialize("t", back));
    }

    @Test
    void stampedValuesRoundTripAndRefuseTrailingBytes() {
        Serde<Stamped<String>> stamped = StateCodec.stampedSerde(Serdes.String());
        Stamped<String> s = new Stamped<>(1_700_000_000_123L, "tpo.feedback-1@5");
        byte[] bytes = stamped.serializer().serialize("t", s);
        assertEquals(s, stamped.deserializer().deserialize("t", bytes));
        byte[] longer = Arrays.copyOf(bytes, bytes.length + 1);
        assertThrows(SerializationException.class, () -> stamped.deserializer().deserialize("t", longer));
        Serde<Stamped<Integer>> counter = StateCodec.stampedSerde(Serdes.Integer());
        assertEquals(new Stamped<>(5L, 63), counter.deserializer().deserialize("t",
                counter.serializer().serialize("t", new Stamped<>(5L, 63))));
    }

    private static void writeString(DataOutputStream out, String s) throws IOException {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.writeInt(b.length);
        out.write(b);
    }
}
