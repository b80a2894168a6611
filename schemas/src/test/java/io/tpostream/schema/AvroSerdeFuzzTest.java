package io.tpostream.schema;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Whatever bytes arrive, the decoder either returns a record that survives a round trip or says precisely why it
 * could not, with the reason (a dead letter's reason code downstream) that the bytes' header calls for.
 */
class AvroSerdeFuzzTest {

    private static final AvroSerde<FeedbackEvent> SERDE = AvroSerde.of(FeedbackEvent.class);
    private static final byte[] VALID = SERDE.encode(AvroSerdeTest.sampleEvent());

    /**
     * Arbitrary bytes (some with the single-object magic, some with a known writer's header): each either decodes
     * to a record that survives a round trip, or is refused with exactly the reason its header calls for.
     */
    @Property(tries = 2000)
    void arbitraryBytesDecodeAndRoundTripOrAreRefusedForTheirHeadersReason(@ForAll("arbitrary") byte[] bytes) {
        assertDecodesOrIsRefusedAs(expectedCause(bytes), bytes);
    }

    /** A valid record with its body damaged: decodes (and round-trips) or is CORRUPT_BODY, never another reason. */
    @Property(tries = 3000)
    void mutatedValidRecordsRoundTripOrAreCorruptBodies(@ForAll("mutations") byte[] bytes) {
        assertDecodesOrIsRefusedAs(UndecodableRecordException.Cause.CORRUPT_BODY, bytes);
    }

    @org.junit.jupiter.api.Test
    void theHeaderOracleAgreesWithTheDecoderOnKnownCases() {
        assertEquals(UndecodableRecordException.Cause.BAD_HEADER, expectedCause(new byte[] {1, 2, 3}));
        byte[] otherWriter = VALID.clone();
        otherWriter[5] ^= 0x40;
        assertEquals(UndecodableRecordException.Cause.UNKNOWN_SCHEMA, expectedCause(otherWriter));
        assertDecodesOrIsRefusedAs(UndecodableRecordException.Cause.UNKNOWN_SCHEMA, otherWriter);
        assertDecodesOrIsRefusedAs(UndecodableRecordException.Cause.BAD_HEADER, java.util.Arrays.copyOf(VALID, 9));
        assertEquals(AvroSerdeTest.sampleEvent(), SERDE.decode(VALID));
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

    /** Headers of every FeedbackEvent writer this reader knows: the current schema and each released one. */
    private static final java.util.Set<String> KNOWN_HEADERS = knownHeaders();

    private static java.util.Set<String> knownHeaders() {
        java.util.Set<String> out = new java.util.HashSet<>();
        for (org.apache.avro.Schema writer : SchemaCatalog.standard().versionsOf(FeedbackEvent.getClassSchema()
                .getFullName())) {
            out.add(header(SchemaCatalog.fingerprint(writer)));
        }
        out.add(java.util.HexFormat.of().formatHex(VALID, 0, 10));
        return out;
    }

    /** The single-object header of a fingerprint, written independently of the serde: magic C3 01, little-endian. */
    private static String header(long fingerprint) {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(10).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        b.put((byte) 0xC3).put((byte) 0x01).putLong(fingerprint);
        return java.util.HexFormat.of().formatHex(b.array());
    }

    /** The reason bytes must be refused for if they do not decode, judged from their first ten bytes alone. */
    private static UndecodableRecordException.Cause expectedCause(byte[] bytes) {
        if (bytes.length < 10 || (bytes[0] & 0xff) != 0xC3 || bytes[1] != 0x01) {
            return UndecodableRecordException.Cause.BAD_HEADER;
        }
        return KNOWN_HEADERS.contains(java.util.HexFormat.of().formatHex(bytes, 0, 10))
                ? UndecodableRecordException.Cause.CORRUPT_BODY : UndecodableRecordException.Cause.UNKNOWN_SCHEMA;
    }

    private static void assertDecodesOrIsRefusedAs(UndecodableRecordException.Cause expected, byte[] bytes) {
        FeedbackEvent decoded;
        try {
            decoded = SERDE.decode(bytes);
        } catch (UndecodableRecordException e) {
            assertEquals(expected, e.reason(), e.getMessage());
            org.junit.jupiter.api.Assertions.assertFalse(e.getMessage().isBlank());
            return;
        }
        org.junit.jupiter.api.Assertions.assertEquals(UndecodableRecordException.Cause.CORRUPT_BODY, expected,
                "only bytes with a known writer's header can decode");
        assertEquals(decoded, SERDE.decode(SERDE.encode(decoded)), "a decoded record survives the round trip");
    }

    @Provide
    Arbitrary<byte[]> arbitrary() {
        Arbitrary<byte[]> body = Arbitraries.bytes().array(byte[].class).ofMaxSize(200);
        Arbitrary<byte[]> anything = Arbitraries.bytes().array(byte[].class).ofMaxSize(200);
        Arbitrary<byte[]> magic = body.map(b -> concat(new byte[] {(byte) 0xC3, 0x01}, b));
        Arbitrary<byte[]> knownHeader = body.map(b -> concat(java.util.Arrays.copyOf(VALID, 10), b));
        return Arbitraries.oneOf(anything, magic, knownHeader);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
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
