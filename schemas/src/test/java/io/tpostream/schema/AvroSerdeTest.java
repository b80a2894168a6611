package io.tpostream.schema;

import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.util.Utf8;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AvroSerdeTest {

    private final AvroSerde<FeedbackEvent> serde = AvroSerde.of(FeedbackEvent.class);

    static FeedbackEvent sampleEvent() {
        return FeedbackEvent.newBuilder()
                .setEventId("e-1")
                .setOccurredAt(Instant.parse("2026-11-26T10:00:00Z"))
                .setModelName("scene-vlm")
                .setModelVersion(3)
                .setImage(ImageRef.newBuilder().setSha256("ab".repeat(32))
                        .setBytes(ByteBuffer.wrap(new byte[] {1, 2, 3})).setWidth(32).setHeight(32).build())
                .setPrompt("Describe the image.")
                .setResponse("a red circle and a blue square")
                .setKind(FeedbackKind.RATING)
                .setRating(4.0)
                .setAnnotator("u-17")
                .setAttributes(Map.of("app", "gallery"))
                .build();
    }

    @Test
    void roundTripKeepsEveryField() {
        FeedbackEvent event = sampleEvent();
        byte[] bytes = serde.encode(event);
        assertEquals((byte) 0xC3, bytes[0], "single-object marker");
        assertEquals((byte) 0x01, bytes[1], "single-object marker");
        assertEquals(event, serde.decode(bytes));
    }

    @Test
    void headerCarriesTheWriterSchemaFingerprint() {
        byte[] bytes = serde.encode(sampleEvent());
        long fp = ByteBuffer.wrap(bytes, 2, 8).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong();
        assertEquals(SchemaCatalog.fingerprint(FeedbackEvent.getClassSchema()), fp);
    }

    @Test
    void recordsWrittenWithTheV1SchemaDecodeWithDefaults() throws Exception {
        Schema v1 = SchemaCatalog.loadHistory("FeedbackEvent-v1.avsc");
        GenericRecord image = imageByUri(v1);
        GenericRecord old = new GenericData.Record(v1);
        old.put("eventId", "old-1");
        old.put("occurredAt", 1_700_000_000_000L);
        old.put("modelName", "scene-vlm");
        old.put("modelVersion", 1L);
        old.put("image", image);
        old.put("prompt", "Describe the image.");
        old.put("response", "a green triangle");
        old.put("kind", new GenericData.EnumSymbol(v1.getField("kind").schema(), "CORRECTION"));
        old.put("correctedResponse", "a green square");
        FeedbackEvent decoded = serde.decode(AvroSerde.encodeGeneric(v1, old));

        assertEquals("old-1", decoded.getEventId());
        assertEquals(FeedbackKind.CORRECTION, decoded.getKind());
        assertEquals("a green square", decoded.getCorrectedResponse());
        assertEquals("default", decoded.getTenant(), "field added in v2 takes its default");
        assertTrue(decoded.getAttributes().isEmpty());
        assertNull(decoded.getAnnotator());
    }

    @Test
    void pairsWrittenBeforePolicyVersionDecodeWithTheVersionUnknown() {
        Schema v1 = SchemaCatalog.loadHistory("PreferencePair-v1.avsc");
        GenericRecord image = imageByUri(v1);
        GenericRecord old = new GenericData.Record(v1);
        old.put("pairId", "ef".repeat(32));
        old.put("image", image);
        old.put("prompt", "Describe the image.");
        old.put("chosen", "a red circle");
        old.put("rejected", "a red circle and a blue square");
        old.put("margin", 1.0);
        old.put("sourceKind", new GenericData.EnumSymbol(v1.getField("sourceKind").schema(), "CORRECTION"));
        old.put("sourceEventIds", List.of("e-7"));
        old.put("sourceOccurredAt", 1_700_000_000_000L);
        old.put("modelName", "scene-vlm");
        old.put("tenant", "acme");
        old.put("generatorVersion", "pairing-1");
        old.put("createdAt", 1_700_000_000_500L);
        PreferencePair decoded = AvroSerde.of(PreferencePair.class).decode(AvroSerde.encodeGeneric(v1, old));

        assertNull(decoded.getPolicyVersion(), "a pair from before policyVersion: its policy is unknown");
        assertEquals("a red circle", decoded.getChosen());
        assertEquals(FeedbackKind.CORRECTION, decoded.getSourceKind());
        assertEquals(List.of("e-7"), decoded.getSourceEventIds());
        assertEquals("acme", decoded.getTenant());
        assertEquals(Instant.ofEpochMilli(1_700_000_000_500L), decoded.getCreatedAt());
    }

    /** The image field of a record written with a historical schema, referring to the image by URI. */
    private static GenericRecord imageByUri(Schema historical) {
        GenericRecord image = new GenericData.Record(historical.getField("image").schema());
        image.put("sha256", "cd".repeat(32));
        image.put("uri", "file:///img/1.png");
        image.put("mediaType", "image/png");
        image.put("width", 64);
        image.put("height", 48);
        return image;
    }

    @Test
    void aNewerWriterWithAnUnknownSchemaIsAClearErrorUntilItsSchemaIsRegistered() throws Exception {
        // a future writer adds a field and a feedback kind this reader has never heard of
        Schema future = new Schema.Parser().parse(FeedbackEvent.getClassSchema().toString()
                .replace("\"COMPARISON\"]", "\"COMPARISON\",\"THUMBS\"]")
                .replace("{\"name\":\"tenant\"", "{\"name\":\"locale\",\"type\":\"string\",\"default\":\"en\"},{\"name\":\"tenant\""));
        GenericRecord rec = new GenericData.Record(future);
        FeedbackEvent base = sampleEvent();
        for (Schema.Field f : FeedbackEvent.getClassSchema().getFields()) {
            rec.put(f.name(), GenericData.get().deepCopy(f.schema(), toGeneric(base, f)));
        }
        rec.put("locale", "de");
        rec.put("kind", new GenericData.EnumSymbol(future.getField("kind").schema(), "THUMBS"));
        byte[] bytes = AvroSerde.encodeGeneric(future, rec);

        UndecodableRecordException e = assertThrows(UndecodableRecordException.class, () -> serde.decode(bytes));
        assertEquals(UndecodableRecordException.Cause.UNKNOWN_SCHEMA, e.reason());
        assertTrue(e.getMessage().contains("fingerprint 0x"), e.getMessage());

        SchemaCatalog learned = SchemaCatalog.empty().register(FeedbackEvent.getClassSchema()).register(future);
        FeedbackEvent decoded = new AvroSerde<>(FeedbackEvent.class, learned).decode(bytes);
        assertEquals(FeedbackKind.UNKNOWN, decoded.getKind(), "an unknown enum symbol reads as the enum default");
        assertEquals("e-1", decoded.getEventId());
    }

    private static Object toGeneric(FeedbackEvent event, Schema.Field f) {
        Object v = event.get(f.pos());
        if (v instanceof Instant i) {
            return i.toEpochMilli();
        }
        if (v instanceof FeedbackKind k) {
            return new GenericData.EnumSymbol(f.schema(), k.name());
        }
        if (v instanceof ImageRef img) {
            GenericRecord g = new GenericData.Record(ImageRef.getClassSchema());
            for (Schema.Field inner : ImageRef.getClassSchema().getFields()) {
                g.put(inner.name(), img.get(inner.pos()));
            }
            return g;
        }
        return v;
    }

    @Test
    void garbageAndTruncationAreClassified() {
        byte[] good = serde.encode(sampleEvent());
        assertEquals(UndecodableRecordException.Cause.BAD_HEADER,
                assertThrows(UndecodableRecordException.class, () -> serde.decode("hello".getBytes())).reason());
        assertEquals(UndecodableRecordException.Cause.BAD_HEADER,
                assertThrows(UndecodableRecordException.class, () -> serde.decode(new byte[0])).reason());
        byte[] truncated = Arrays.copyOf(good, good.length / 2);
        assertEquals(UndecodableRecordException.Cause.CORRUPT_BODY,
                assertThrows(UndecodableRecordException.class, () -> serde.decode(truncated)).reason());
        byte[] flipped = good.clone();
        flipped[5] ^= 0x55;
        assertEquals(UndecodableRecordException.Cause.UNKNOWN_SCHEMA,
                assertThrows(UndecodableRecordException.class, () -> serde.decode(flipped)).reason());
    }

    @Test
    void bytesAfterTheRecordAreCorruption() {
        byte[] good = serde.encode(sampleEvent());
        byte[] longer = Arrays.copyOf(good, good.length + 3);
        UndecodableRecordException e = assertThrows(UndecodableRecordException.class, () -> serde.decode(longer));
        assertEquals(UndecodableRecordException.Cause.CORRUPT_BODY, e.reason());
        assertTrue(e.getMessage().contains("3 bytes after the end of the record"), e.getMessage());
    }

    @Test
    void textThatIsNotUtf8IsCorruptionNotReplacementCharacters() throws Exception {
        FeedbackEvent event = sampleEvent();
        Schema schema = FeedbackEvent.getClassSchema();
        GenericRecord generic = serde.toGeneric(event);
        generic.put("response", new Utf8(new byte[] {'o', 'k', (byte) 0xC3, '!'})); // a lead byte without its tail
        generic.put("attributes", Map.of(new Utf8(new byte[] {(byte) 0xFF}), new Utf8("v")));
        byte[] bytes = AvroSerde.encodeGeneric(schema, generic);
        UndecodableRecordException e = assertThrows(UndecodableRecordException.class, () -> serde.decode(bytes));
        assertEquals(UndecodableRecordException.Cause.CORRUPT_BODY, e.reason());
        assertTrue(e.getMessage().contains("text field 'response' is not valid UTF-8"), e.getMessage());

        FeedbackEvent genuine = FeedbackEvent.newBuilder(event).setResponse("a real \uFFFD sign").build();
        assertEquals(genuine, serde.decode(serde.encode(genuine)), "U+FFFD written as UTF-8 is text like any other");
    }

    @Test
    void absurdLengthPrefixIsRefusedWithoutAllocatingIt() {
        byte[] good = serde.encode(sampleEvent());
        // the first body field is the event id string: replace its length with the varint of ~1 GiB
        byte[] header = Arrays.copyOf(good, 10);
        byte[] hugeLength = {(byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, 0x08};
        byte[] bytes = new byte[header.length + hugeLength.length + 4];
        System.arraycopy(header, 0, bytes, 0, header.length);
        System.arraycopy(hugeLength, 0, bytes, header.length, hugeLength.length);
        assertEquals(UndecodableRecordException.Cause.CORRUPT_BODY,
                assertThrows(UndecodableRecordException.class, () -> serde.decode(bytes)).reason());
    }

    @Test
    void everyRecordTypeRoundTrips() {
        ModelVersion v = ModelVersion.newBuilder()
                .setModelName("scene-vlm").setVersion(2).setParentVersion(1).setReferenceVersion(0)
                .setArtifact(Artifact.newBuilder().setUri("file:///a/b").setSha256("00".repeat(32)).setSizeBytes(10)
                        .setFormat("tpo-checkpoint-v1").build())
                .setStatus(VersionStatus.PASSED)
                .setTrainingWindow(List.of(new OffsetWindow("tpo.pairs", 0, 0L, 10L)))
                .setPairs(10).setSteps(2).setObjective("tpo").setHyperParameters(Map.of("beta", "0.1"))
                .setSeed(42).setMetrics(Map.of("loss", 0.69)).setCreatedAt(Instant.ofEpochMilli(5)).build();
        AvroSerde<ModelVersion> mv = AvroSerde.of(ModelVersion.class);
        assertEquals(v, mv.decode(mv.encode(v)));

        DeadLetter d = DeadLetter.newBuilder().setSourceTopic("tpo.feedback").setSourcePartition(1).setSourceOffset(7)
                .setReason("UNDECODABLE").setDetail("x").setRawValue(ByteBuffer.wrap(new byte[] {9}))
                .setDeadLetteredAt(Instant.ofEpochMilli(3)).build();
        PreferencePair pair = PreferencePair.newBuilder().setPairId("p").setImage(sampleEvent().getImage())
                .setPrompt("Describe the image.").setChosen("a").setRejected("b").setMargin(2.0)
                .setSourceKind(FeedbackKind.RATING).setSourceEventIds(List.of("e-1", "e-2"))
                .setSourceOccurredAt(Instant.ofEpochMilli(4)).setModelName("scene-vlm").setPolicyVersion(6L)
                .setGeneratorVersion("pairing-1").setCreatedAt(Instant.ofEpochMilli(5)).build();
        AvroSerde<PreferencePair> pp = AvroSerde.of(PreferencePair.class);
        assertEquals(pair, pp.decode(pp.encode(pair)));

        AvroSerde<DeadLetter> dl = AvroSerde.of(DeadLetter.class);
        DeadLetter back = dl.decode(dl.encode(d));
        assertEquals(d, back);
        assertArrayEquals(new byte[] {9}, back.getRawValue().array());
    }
}
