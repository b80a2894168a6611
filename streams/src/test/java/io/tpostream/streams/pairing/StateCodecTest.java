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

    private static HeldRating held(String id, boolean paired, HeldRating.Image image) {
        return new HeldRating(id, 1_000L, 2_000L, 4.5, 900L, "ü".repeat(40_000), paired, 2, 77L, "llava-tiny",
                "acme", image);
    }

    @Test
    void keyStatesRoundTripIncludingLongUnicodeTextsAndInlineImages() {
        KeyState s = new KeyState(123L, 2, List.of(new KeyState.Emitted(-5L, 100L), new KeyState.Emitted(7L, 200L)),
                List.of(held("e-1", true, new HeldRating.Image("file:/x.png", null, "image/png", 16, 16)),
                        held("e-2", false, new HeldRating.Image(null, new byte[] {1, 2, 3}, "image/jpeg", 0, 0))));
        KeyState back = states.deserializer().deserialize("t", states.serializer().serialize("t", s));
        assertEquals(s.counterStart(), back.counterStart());
        assertEquals(s.counterPairs(), back.counterPairs());
        assertEquals(s.emitted(), back.emitted());
        assertEquals(s.held().get(0), back.held().get(0));
        assertArrayEquals(new byte[] {1, 2, 3}, back.held().get(1).image().bytes());
        assertNull(back.held().get(1).image().uri());
        assertEquals(KeyState.EMPTY, states.deserializer().deserialize("t",
                states.serializer().serialize("t", KeyState.EMPTY)));
    }

    @Test
    void corruptOrFutureBytesAreASerializationException() {
        byte[] good = states.serializer().serialize("t", KeyState.EMPTY.withHeld(List.of(held("e", false,
                new HeldRating.Image("u", null, "image/png", 1, 1)))));
        assertThrows(SerializationException.class,
                () -> states.deserializer().deserialize("t", Arrays.copyOf(good, good.length - 3)));
        byte[] future = good.clone();
        future[0] = 9;
        assertThrows(SerializationException.class, () -> states.deserializer().deserialize("t", future));
        byte[] huge = good.clone();
        huge[13] = 0x7f; // the pair count: far more entries than bytes left
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
