package io.tpostream.schema;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Whatever bytes arrive, the decoder either returns a record or says precisely why it could not. */
class AvroSerdeFuzzTest {

    private static final AvroSerde<FeedbackEvent> SERDE = AvroSerde.of(FeedbackEvent.class);
    private static final byte[] VALID = SERDE.encode(AvroSerdeTest.sampleEvent());

    @Property(tries = 2000)
    void arbitraryBytesNeverEscapeAsAnythingButUndecodable(@ForAll byte[] bytes) {
        decodeOrClassify(bytes);
    }

    @Property(tries = 3000)
    void mutatedValidRecordsNeverEscape(@ForAll("mutations") byte[] bytes) {
        decodeOrClassify(bytes);
    }

    @Property(tries = 200)
    void validRecordsSurviveTheRoundTrip(@ForAll("eventIds") String id, @ForAll("texts") String response) {
        FeedbackEvent e = FeedbackEvent.newBuilder(AvroSerdeTest.sampleEvent()).setEventId(id).setResponse(response).build();
        assertEquals(e, SERDE.decode(SERDE.encode(e)));
    }

    @Property(tries = 300)
    void anythingAfterAValidRecordMakesItCorrupt(@ForAll("tails") byte[] tail) {
        byte[] bytes = java.util.Arrays.copyOf(VALID, VALID.length + tail.length);
        System.arraycopy(tail, 0, bytes, VALID.length, tail.length);
        UndecodableRecordException e = org.junit.jupiter.api.Assertions.assertThrows(
                UndecodableRecordException.class, () -> SERDE.decode(bytes));
        assertEquals(UndecodableRecordException.Cause.CORRUPT_BODY, e.reason());
    }

    /**
     * A decoded record is exactly what was written: encoding it again gives the same bytes. Mutations that still
     * decode must therefore be mutations of values, never bytes the decoder skipped, ignored or replaced (trailing
     * data, text that was not UTF-8).
     */
    @Property(tries = 3000)
    void whateverDecodesReEncodesToTheSameBodyText(@ForAll("mutations") byte[] bytes) {
        FeedbackEvent decoded;
        try {
            decoded = SERDE.decode(bytes);
        } catch (UndecodableRecordException expected) {
            return;
        }
        FeedbackEvent again = SERDE.decode(SERDE.encode(decoded));
        assertEquals(decoded, again);
        for (CharSequence text : new CharSequence[] {decoded.getEventId(), decoded.getPrompt(), decoded.getResponse(),
                decoded.getModelName()}) {
            org.junit.jupiter.api.Assertions.assertEquals(-1, text.toString().indexOf('\uFFFD'),
                    "a replacement character can only come from bytes that were not UTF-8: " + text);
        }
    }

    @Provide
    Arbitrary<byte[]> tails() {
        return Arbitraries.bytes().array(byte[].class).ofMinSize(1).ofMaxSize(64);
    }

    private static void decodeOrClassify(byte[] bytes) {
        try {
            SERDE.decode(bytes);
        } catch (UndecodableRecordException expected) {
            // classified: the only allowed failure
        }
    }

    @Provide
    Arbitrary<byte[]> mutations() {
        Arbitrary<Integer> position = Arbitraries.integers().between(0, VALID.length - 1);
        Arbitrary<Byte> value = Arbitraries.bytes();
        Arbitrary<Integer> cut = Arbitraries.integers().between(0, VALID.length);
        return net.jqwik.api.Combinators.combine(position, value, cut, Arbitraries.integers().between(1, 4))
                .as((pos, val, len, flips) -> {
                    byte[] b = java.util.Arrays.copyOf(VALID, Math.max(len, 10));
                    for (int i = 0; i < flips; i++) {
                        int p = Math.max(10, (pos + 31 * i) % b.length); // keep the header, damage the body
                        if (p < b.length) {
                            b[p] = (byte) (val + i);
                        }
                    }
                    return b;
                });
    }

    @Provide
    Arbitrary<String> eventIds() {
        return Arbitraries.strings().ofMinLength(1).ofMaxLength(64);
    }

    @Provide
    Arbitrary<String> texts() {
        // any text without lone surrogates: those are not Unicode, and no encoder can carry them
        return Arbitraries.strings().withCharRange('\u0000', '\uD7FF').withCharRange('\uE000', '\uFFFD').ofMaxLength(500);
    }
}
