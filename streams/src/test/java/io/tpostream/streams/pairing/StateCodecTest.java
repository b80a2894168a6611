package io.tpostream.streams.pairing;

import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

class StateCodecTest {

    private final Serde<KeyState> states = StateCodec.keyStateSerde();
    private final Serde<HeldRating> ratings = StateCodec.heldRatingSerde();

    @Test
    void keyStatesRoundTrip() {
        KeyState s = new KeyState(123L, 2, List.of(new KeyState.Slot(-5L, 100L, 4.5, 7L, true),
                new KeyState.Slot(9L, 200L, 1.0, -3L, false)));
        assertEquals(s, states.deserializer().deserialize("t", states.serializer().serialize("t", s)));
        assertEquals(KeyState.EMPTY, states.deserializer().deserialize("t",
                states.serializer().serialize("t", KeyState.EMPTY)));
        assertEquals(1 + 8 + 4 + 4 + 2 * 33, states.serializer().serialize("t", s).length,
                "33 bytes per held rating, whatever its texts");
    }

    @Test
    void heldRatingsRoundTripIncludingLongUnicodeTextsAndInlineImages() {
        HeldRating a = new HeldRating("e-1", 1_000L, 4.5, 900L, "ü".repeat(40_000), 2, 77L, "llava-tiny", "acme",
                new HeldRating.Image("file:/x.png", null, "image/png", 16, 16));
        assertEquals(a, ratings.deserializer().deserialize("t", ratings.serializer().serialize("t", a)));
        HeldRating b = new HeldRating("e-2", 1_000L, 1, 900L, "a cat", 0, 0L, "m", "t",
                new HeldRating.Image(null, new byte[] {1, 2, 3}, "image/jpeg", 0, 0));
        HeldRating back = ratings.deserializer().deserialize("t", ratings.serializer().serialize("t", b));
        assertArrayEquals(new byte[] {1, 2, 3}, back.image().bytes());
        assertNull(back.image().uri());
    }

    @Test
    void corruptOrFutureBytesAreASerializationException() {
        byte[] good = states.serializer().serialize("t", KeyState.EMPTY.withHeld(List.of(
                new KeyState.Slot(1L, 2L, 3.0, 4L, false))));
        assertThrows(SerializationException.class,
                () -> states.deserializer().deserialize("t", Arrays.copyOf(good, good.length - 3)));
        byte[] future = good.clone();
        future[0] = 9;
        assertThrows(SerializationException.class, () -> states.deserializer().deserialize("t", future));
        byte[] huge = good.clone();
        huge[13] = 0x7f; // the slot count: far more entries than bytes left
        assertThrows(SerializationException.class, () -> states.deserializer().deserialize("t", huge));
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
}
