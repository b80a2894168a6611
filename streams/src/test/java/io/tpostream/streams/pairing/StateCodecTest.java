package io.tpostream.streams.pairing;

import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serde;
import org.junit.jupiter.api.Test;

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
}
