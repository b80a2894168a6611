package io.tpostream.streams.pairing;

import io.tpostream.schema.ImageRef;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serde;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
        HeldRating a = new HeldRating("e-1", 900L, "ü".repeat(40_000), 77L, "llava-tiny", 12L, "acme", null);
        assertEquals(a, ratings.deserializer().deserialize("t", ratings.serializer().serialize("t", a)));
        ImageRef inline = ImageRef.newBuilder().setSha256("ab".repeat(32)).setUri(null)
                .setBytes(ByteBuffer.wrap(new byte[] {1, 2, 3})).setMediaType("image/jpeg").setWidth(7).setHeight(9)
                .build();
        HeldRating b = new HeldRating("e-2", -5L, "a cat", 0L, "m", 0L, "t", inline);
        assertEquals(b, ratings.deserializer().deserialize("t", ratings.serializer().serialize("t", b)));
    }

    @Test
    void sightingsRoundTrip() {
        Serde<RecentIds.Sighting> sightings = StateCodec.sightingSerde();
        RecentIds.Sighting s = new RecentIds.Sighting(1_700_000_000_123L, 42L);
        byte[] bytes = sightings.serializer().serialize("t", s);
        assertEquals(17, bytes.length);
        assertEquals(s, sightings.deserializer().deserialize("t", bytes));
        assertThrows(SerializationException.class,
                () -> sightings.deserializer().deserialize("t", Arrays.copyOf(bytes, 18)));
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
        byte[] rating = ratings.serializer().serialize("t", new HeldRating("e", 1L, "r", 2L, "m", 3L, "t", null));
        assertThrows(SerializationException.class,
                () -> ratings.deserializer().deserialize("t", Arrays.copyOf(rating, rating.length - 1)));
    }
}
