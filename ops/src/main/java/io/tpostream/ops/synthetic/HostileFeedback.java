package io.tpostream.ops.synthetic;

import io.tpostream.schema.AvroSerde;
import io.tpostream.schema.FeedbackEvent;
import io.tpostream.schema.FeedbackKind;
import io.tpostream.schema.ImageRef;
import io.tpostream.schema.SchemaCatalog;
import io.tpostream.schema.Sha256;
import io.tpostream.streams.RejectReason;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.util.Utf8;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.zip.CRC32;

/**
 * Feedback records written to hurt: what a buggy, outdated, newer or malicious producer can put on the feedback
 * topic. Each record belongs to a {@link Category} that says what was done to it and what the pairing app must make
 * of it, so a run can be checked record by record. Deterministic for a seed.
 *
 * <p>Two categories need the reader's cooperation: {@link Category#UNKNOWN_ENUM_SYMBOL} is what a newer writer
 * sends once the readers were given its schema ({@link #teachNewerKindSchema}), which turns its new kind into
 * UNKNOWN. The two record-timestamp categories are valid events sent with absurd producer timestamps; the feedback
 * topic's LogAppendTime must make them harmless, so they are expected to pair like any other correction.
 */
public final class HostileFeedback {

    /** What was done to a record, and what must become of it (a dead letter reason, or null for a pair). */
    public enum Category {
        NOT_AVRO("bytes that are no Avro record at all (text, JSON, zeros, random)", RejectReason.UNDECODABLE),
        TRUNCATED_HEADER("a record cut inside its 10-byte header", RejectReason.UNDECODABLE),
        TRUNCATED_BODY("a record cut anywhere in its body", RejectReason.CORRUPT_RECORD),
        IMPOSSIBLE_LENGTH("a string length prefix of about 1 GiB", RejectReason.CORRUPT_RECORD),
        TRAILING_BYTES("bytes after the end of a valid record", RejectReason.CORRUPT_RECORD),
        ENUM_INDEX_OUT_OF_RANGE("a kind index past the last symbol, under the current fingerprint",
                RejectReason.CORRUPT_RECORD),
        INVALID_UTF8("text bytes that are not UTF-8 (Latin-1, lone surrogates, cut sequences)",
                RejectReason.CORRUPT_RECORD),
        WRONG_FINGERPRINT("a valid body behind a fingerprint no release has", RejectReason.UNKNOWN_SCHEMA),
        NEWER_WRITER_UNKNOWN("a newer writer (new kind and field) whose schema the reader was never given",
                RejectReason.UNKNOWN_SCHEMA),
        NULL_IN_REQUIRED_FIELD("null prompt from a writer whose schema made it optional", RejectReason.UNKNOWN_SCHEMA),
        UNKNOWN_ENUM_SYMBOL("a kind added by a newer writer whose schema the reader knows", RejectReason.UNKNOWN_KIND),
        TOMBSTONE("a null value", RejectReason.NULL_VALUE),
        BLANK_EVENT_ID("an empty or blank event id", RejectReason.MISSING_EVENT_ID),
        BLANK_PROMPT("an empty or blank prompt", RejectReason.MISSING_PROMPT),
        BLANK_RESPONSE("an empty or blank response", RejectReason.MISSING_RESPONSE),
        GIGANTIC_STRING("a text field far over the limit (prompt, response, id, attribute)", RejectReason.FIELD_TOO_LONG),
        NO_RATING("a RATING without its rating", RejectReason.MISSING_RATING),
        NO_CORRECTION("a CORRECTION without its corrected text", RejectReason.MISSING_CORRECTION),
        NO_COMPARISON("a COMPARISON without the other response or the winner", RejectReason.MISSING_COMPARISON),
        NO_IMAGE_SOURCE("an image with neither a URI nor bytes", RejectReason.NO_IMAGE_SOURCE),
        BAD_SHA256("an image sha-256 that is not 64 lower-case hex digits", RejectReason.BAD_SHA256),
        WRONG_KEY("keyed by another image, or not keyed at all", RejectReason.KEY_MISMATCH),
        SHA_MISMATCH("inline bytes that do not hash to the declared sha-256", RejectReason.IMAGE_SHA_MISMATCH),
        IMAGE_BOMB("a 1x1 PNG whose header declares 100000 x 100000 pixels", RejectReason.IMAGE_TOO_LARGE),
        NOT_AN_IMAGE("inline bytes that are no image (text, PDF, ZIP, zeros), true sha-256",
                RejectReason.IMAGE_UNDECODABLE),
        TRUNCATED_IMAGE("a PNG cut short, true sha-256", RejectReason.IMAGE_UNDECODABLE),
        RATING_NEGATIVE("a negative rating", RejectReason.RATING_OUT_OF_RANGE),
        RATING_HUGE("a rating above the scale, up to 1e308", RejectReason.RATING_OUT_OF_RANGE),
        RATING_NOT_A_NUMBER("NaN or infinite ratings", RejectReason.RATING_OUT_OF_RANGE),
        CORRECTION_IDENTICAL("a correction equal to the response but for white space",
                RejectReason.CORRECTION_IDENTICAL),
        COMPARISON_IDENTICAL("a comparison of two equal texts", RejectReason.COMPARISON_IDENTICAL),
        OCCURRED_FAR_PAST("occurredAt in 1970 or at the smallest long", RejectReason.TIMESTAMP_OUT_OF_RANGE),
        OCCURRED_FAR_FUTURE("occurredAt in the year 3000 or at the largest long", RejectReason.TIMESTAMP_OUT_OF_RANGE),
        DUPLICATE_EVENT_ID("an exact resend of a valid event", RejectReason.DUPLICATE_EVENT),
        RECORD_TIME_FUTURE("a valid correction with a producer timestamp 50 minutes to 10 years ahead", null),
        RECORD_TIME_PAST("a valid correction with a producer timestamp in 1970", null);

        private final String description;
        private final RejectReason expected;

        Category(String description, RejectReason expected) {
            this.description = description;
            this.expected = expected;
        }

        public String description() {
            return description;
        }

        /** The dead letter it must become, or empty if it must be processed as a valid event. */
        public Optional<RejectReason> expected() {
            return Optional.ofNullable(expected);
        }
    }

    /**
     * One record to send.
     *
     * @param timestamp the producer timestamp to set, or null for the producer's default (now)
     */
    public record Hostile(Category category, FeedbackScenario.Input input, Long timestamp) {
    }

    private static final AvroSerde<FeedbackEvent> SERDE = AvroSerde.of(FeedbackEvent.class);
    private static final String PROMPT = "Describe the image.";
    /** The current FeedbackEvent schema with one more kind, as the next release might write it. */
    public static final Schema NEWER_KIND_SCHEMA = variant("\"COMPARISON\"]", "\"COMPARISON\",\"THUMBS_UP\"]");
    /** A newer writer the reader never hears of: the new kind plus a new field. */
    private static final Schema NEWER_UNKNOWN_SCHEMA = parse(replace(NEWER_KIND_SCHEMA.toString(),
            "{\"name\":\"tenant\"", "{\"name\":\"locale\",\"type\":\"string\",\"default\":\"en\"},{\"name\":\"tenant\""));
    /** A writer that made the prompt optional. */
    private static final Schema NULLABLE_PROMPT_SCHEMA = variant(
            "{\"name\":\"prompt\",\"type\":{\"type\":\"string\",\"avro.java.string\":\"String\"}}",
            "{\"name\":\"prompt\",\"type\":[\"null\",{\"type\":\"string\",\"avro.java.string\":\"String\"}]}");
    /** Same body layout as the current schema, more enum symbols: for out-of-range indices. */
    private static final Schema MANY_KINDS_SCHEMA = variant("\"COMPARISON\"]",
            "\"COMPARISON\",\"K4\",\"K5\",\"K6\",\"K7\",\"K8\",\"K9\"]");

    private final String runId;
    private final long seed;
    private final int maxGiganticChars;
    private final int maxTextChars;

    /**
     * @param runId            makes event ids and images unique per run
     * @param maxTextChars     the pairing app's limit (gigantic strings go beyond it)
     * @param maxGiganticChars the longest gigantic string (the feedback topic takes records up to 1 MiB)
     */
    public HostileFeedback(String runId, long seed, int maxTextChars, int maxGiganticChars) {
        if (maxGiganticChars <= maxTextChars) {
            throw new IllegalArgumentException("maxGiganticChars must exceed maxTextChars");
        }
        this.runId = runId;
        this.seed = seed;
        this.maxTextChars = maxTextChars;
        this.maxGiganticChars = maxGiganticChars;
    }

    /** Gives a reader the newer writer's schema, as a deployment that ships schemas ahead of producers would. */
    public static void teachNewerKindSchema(SchemaCatalog catalog) {
        catalog.register(NEWER_KIND_SCHEMA);
    }

    /**
     * {@code count} hostile records, every category in turn, in a seeded random order.
     *
     * @param resendable valid events already sent (and acknowledged) before these: the duplicates resend them
     */
    public List<Hostile> generate(int count, List<FeedbackScenario.Input> resendable) {
        if (resendable.isEmpty()) {
            throw new IllegalArgumentException("duplicates need valid events that were sent before");
        }
        Random random = new Random(seed);
        Instant now = Instant.now();
        List<Hostile> out = new ArrayList<>();
        Category[] categories = Category.values();
        for (int i = 0; i < count; i++) {
            out.add(make(categories[i % categories.length], runId + "-h" + i, random, now, resendable));
        }
        Collections.shuffle(out, random);
        return out;
    }

    private Hostile make(Category c, String id, Random random, Instant now, List<FeedbackScenario.Input> resendable) {
        ImageRef image = SyntheticEvents.imageByUri("hostile-" + id);
        String key = image.getSha256();
        FeedbackScenario.Fate dead = c.expected().<FeedbackScenario.Fate>map(FeedbackScenario.Fate.Dead::new)
                .orElse(null);
        FeedbackEvent valid = SyntheticEvents.correction(id, image, PROMPT, "a dog " + id, "a cat " + id, now);
        byte[] validBytes = SERDE.encode(valid);
        return switch (c) {
            case NOT_AVRO -> raw(c, key, notAvro(random, id), dead);
            case TRUNCATED_HEADER -> raw(c, key, Arrays.copyOf(validBytes, random.nextInt(10)), dead);
            case TRUNCATED_BODY -> raw(c, key, Arrays.copyOf(validBytes, 10 + random.nextInt(validBytes.length - 10)),
                    dead);
            case IMPOSSIBLE_LENGTH -> {
                byte[] b = Arrays.copyOf(validBytes, validBytes.length);
                byte[] varint = {(byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, 0x08}; // zig-zag ~1 GiB
                System.arraycopy(varint, 0, b, 10, varint.length);
                yield raw(c, key, b, dead);
            }
            case TRAILING_BYTES -> {
                byte[] tail = new byte[1 + random.nextInt(64)];
                random.nextBytes(tail);
                byte[] b = Arrays.copyOf(validBytes, validBytes.length + tail.length);
                System.arraycopy(tail, 0, b, validBytes.length, tail.length);
                yield raw(c, key, b, dead);
            }
            case ENUM_INDEX_OUT_OF_RANGE -> {
                GenericRecord g = generic(valid, MANY_KINDS_SCHEMA);
                g.put("kind", new GenericData.EnumSymbol(MANY_KINDS_SCHEMA.getField("kind").schema(),
                        "K" + (4 + random.nextInt(6))));
                byte[] b = AvroSerde.encodeGeneric(MANY_KINDS_SCHEMA, g);
                // the current schema's fingerprint over a body whose kind index it does not have
                System.arraycopy(SERDE.encode(valid), 2, b, 2, 8);
                yield raw(c, key, b, dead);
            }
            case INVALID_UTF8 -> {
                GenericRecord g = generic(valid, FeedbackEvent.getClassSchema());
                String field = List.of("prompt", "response", "correctedResponse", "modelName").get(random.nextInt(4));
                g.put(field, new Utf8(invalidUtf8(random)));
                yield raw(c, key, AvroSerde.encodeGeneric(FeedbackEvent.getClassSchema(), g), dead);
            }
            case WRONG_FINGERPRINT -> {
                byte[] b = validBytes.clone();
                byte[] fingerprint = new byte[8];
                random.nextBytes(fingerprint);
                System.arraycopy(fingerprint, 0, b, 2, 8);
                yield raw(c, key, b, dead);
            }
            case NEWER_WRITER_UNKNOWN -> {
                GenericRecord g = generic(valid, NEWER_UNKNOWN_SCHEMA);
                g.put("kind", new GenericData.EnumSymbol(NEWER_UNKNOWN_SCHEMA.getField("kind").schema(), "THUMBS_UP"));
                g.put("locale", "de");
                yield raw(c, key, AvroSerde.encodeGeneric(NEWER_UNKNOWN_SCHEMA, g), dead);
            }
            case NULL_IN_REQUIRED_FIELD -> {
                GenericRecord g = generic(valid, NULLABLE_PROMPT_SCHEMA);
                g.put("prompt", null);
                yield raw(c, key, AvroSerde.encodeGeneric(NULLABLE_PROMPT_SCHEMA, g), dead);
            }
            case UNKNOWN_ENUM_SYMBOL -> {
                GenericRecord g = generic(valid, NEWER_KIND_SCHEMA);
                g.put("kind", new GenericData.EnumSymbol(NEWER_KIND_SCHEMA.getField("kind").schema(), "THUMBS_UP"));
                yield raw(c, key, AvroSerde.encodeGeneric(NEWER_KIND_SCHEMA, g), dead);
            }
            case TOMBSTONE -> raw(c, key, null, dead);
            case BLANK_EVENT_ID -> event(c, key, FeedbackEvent.newBuilder(valid).setEventId(blank(random)).build(),
                    dead);
            case BLANK_PROMPT -> event(c, key, FeedbackEvent.newBuilder(valid).setPrompt(blank(random)).build(), dead);
            case BLANK_RESPONSE -> event(c, key, FeedbackEvent.newBuilder(valid).setResponse(blank(random)).build(),
                    dead);
            case GIGANTIC_STRING -> {
                String huge = "x".repeat(maxTextChars + 1 + random.nextInt(maxGiganticChars - maxTextChars));
                FeedbackEvent.Builder b = FeedbackEvent.newBuilder(valid);
                switch (random.nextInt(4)) {
                    case 0 -> b.setPrompt(huge);
                    case 1 -> b.setResponse(huge);
                    case 2 -> b.setEventId(id + huge);
                    default -> b.setAttributes(Map.of(huge, "v"));
                }
                yield event(c, key, b.build(), dead);
            }
            case NO_RATING -> event(c, key, SyntheticEvents.event(id, FeedbackKind.RATING, image, PROMPT, "r", now)
                    .build(), dead);
            case NO_CORRECTION -> event(c, key, FeedbackEvent.newBuilder(valid).setCorrectedResponse(
                    random.nextBoolean() ? null : " ").build(), dead);
            case NO_COMPARISON -> event(c, key, SyntheticEvents.event(id, FeedbackKind.COMPARISON, image, PROMPT,
                    "a", now).setOtherResponse(random.nextBoolean() ? "b" : null).build(), dead);
            case NO_IMAGE_SOURCE -> event(c, key, FeedbackEvent.newBuilder(valid).setImage(
                    ImageRef.newBuilder(image).setUri(random.nextBoolean() ? null : " ").build()).build(), dead);
            case BAD_SHA256 -> {
                String bad = List.of(key.toUpperCase(), key.substring(1), key + "0", "not-a-digest", "")
                        .get(random.nextInt(5));
                yield event(c, bad, FeedbackEvent.newBuilder(valid).setImage(ImageRef.newBuilder(image)
                        .setSha256(bad).build()).build(), dead);
            }
            case WRONG_KEY -> new Hostile(c, new FeedbackScenario.Input(random.nextBoolean() ? null
                    : utf8(SyntheticEvents.imageByUri("elsewhere-" + id).getSha256()), validBytes, dead), null);
            case SHA_MISMATCH -> {
                ImageRef lying = ImageRef.newBuilder(SyntheticEvents.imageInline(SyntheticEvents.png(4, 4, 1), 4, 4))
                        .setSha256(Sha256.hex(SyntheticEvents.png(4, 4, 2))).build();
                yield event(c, lying.getSha256(), FeedbackEvent.newBuilder(valid).setImage(lying).build(), dead);
            }
            case IMAGE_BOMB -> inline(c, valid, pngDeclaring(100_000, 100_000), dead);
            case NOT_AN_IMAGE -> inline(c, valid, notAnImage(random, id), dead);
            case TRUNCATED_IMAGE -> {
                byte[] png = SyntheticEvents.png(16, 16, random.nextInt(1000));
                yield inline(c, valid, Arrays.copyOf(png, 8 + random.nextInt(png.length / 2)), dead);
            }
            case RATING_NEGATIVE -> rating(c, id, image, -(1 + random.nextInt(1_000_000_000)) / 1000.0, now, dead);
            case RATING_HUGE -> rating(c, id, image, random.nextBoolean() ? 5.000001 : Double.MAX_VALUE, now, dead);
            case RATING_NOT_A_NUMBER -> rating(c, id, image, List.of(Double.NaN, Double.POSITIVE_INFINITY,
                    Double.NEGATIVE_INFINITY).get(random.nextInt(3)), now, dead);
            case CORRECTION_IDENTICAL -> event(c, key, FeedbackEvent.newBuilder(valid)
                    .setCorrectedResponse(" \t" + valid.getResponse() + "\n").build(), dead);
            case COMPARISON_IDENTICAL -> event(c, key, SyntheticEvents.comparison(id, image, PROMPT, "same",
                    "same ", random.nextBoolean(), now), dead);
            case OCCURRED_FAR_PAST -> event(c, key, FeedbackEvent.newBuilder(valid).setOccurredAt(random.nextBoolean()
                    ? Instant.EPOCH : Instant.ofEpochMilli(Long.MIN_VALUE)).build(), dead);
            case OCCURRED_FAR_FUTURE -> event(c, key, FeedbackEvent.newBuilder(valid).setOccurredAt(random.nextBoolean()
                    ? Instant.parse("3000-01-01T00:00:00Z") : Instant.ofEpochMilli(Long.MAX_VALUE)).build(), dead);
            case DUPLICATE_EVENT_ID -> {
                FeedbackScenario.Input original = resendable.get(random.nextInt(resendable.size()));
                yield new Hostile(c, new FeedbackScenario.Input(original.key(), original.value(), dead), null);
            }
            case RECORD_TIME_FUTURE -> new Hostile(c, new FeedbackScenario.Input(utf8(key), validBytes,
                    new FeedbackScenario.Fate.PairSource(id)), now.plus(random.nextBoolean() ? Duration.ofMinutes(50)
                    : Duration.ofDays(3650)).toEpochMilli());
            case RECORD_TIME_PAST -> new Hostile(c, new FeedbackScenario.Input(utf8(key), validBytes,
                    new FeedbackScenario.Fate.PairSource(id)), 0L);
        };
    }

    private static Hostile raw(Category c, String key, byte[] value, FeedbackScenario.Fate fate) {
        return new Hostile(c, new FeedbackScenario.Input(utf8(key), value, fate), null);
    }

    private static Hostile event(Category c, String key, FeedbackEvent e, FeedbackScenario.Fate fate) {
        return raw(c, key, SERDE.encode(e), fate);
    }

    private static Hostile inline(Category c, FeedbackEvent valid, byte[] bytes, FeedbackScenario.Fate fate) {
        ImageRef image = ImageRef.newBuilder().setSha256(Sha256.hex(bytes)).setBytes(ByteBuffer.wrap(bytes)).build();
        return event(c, image.getSha256(), FeedbackEvent.newBuilder(valid).setImage(image).build(), fate);
    }

    private static Hostile rating(Category c, String id, ImageRef image, double rating, Instant now,
                                  FeedbackScenario.Fate fate) {
        return event(c, image.getSha256(), SyntheticEvents.rating(id, image, PROMPT, "r " + id, rating, now), fate);
    }

    private static byte[] notAvro(Random random, String id) {
        return switch (random.nextInt(4)) {
            case 0 -> utf8("{\"eventId\":\"" + id + "\",\"kind\":\"RATING\"}");
            case 1 -> new byte[random.nextInt(64)];
            case 2 -> utf8("plain text " + id);
            default -> {
                byte[] b = new byte[1 + random.nextInt(2048)];
                random.nextBytes(b);
                b[0] = (byte) 0x42; // never the single-object marker 0xC3
                yield b;
            }
        };
    }

    private static byte[] notAnImage(Random random, String id) {
        return switch (random.nextInt(4)) {
            case 0 -> utf8("%PDF-1.7\n%" + id + "\n1 0 obj << /Type /Catalog >> endobj\n");
            case 1 -> utf8("PK\u0003\u0004 not really a zip " + id);
            case 2 -> utf8("just some text pretending to be " + id);
            default -> new byte[1 + random.nextInt(256)];
        };
    }

    private static String blank(Random random) {
        return List.of("", " ", "\t\n", "\u2003").get(random.nextInt(4));
    }

    private static byte[] invalidUtf8(Random random) {
        return switch (random.nextInt(3)) {
            case 0 -> "caf\u00e9 au lait".getBytes(StandardCharsets.ISO_8859_1);
            case 1 -> new byte[] {'a', (byte) 0xED, (byte) 0xA0, (byte) 0x80, 'b'}; // a UTF-16 surrogate
            default -> new byte[] {'o', 'k', (byte) 0xE2, (byte) 0x82}; // a sequence cut short
        };
    }

    /** A valid 1x1 PNG whose IHDR declares another size, CRC fixed: a decoder trusting it would allocate it all. */
    static byte[] pngDeclaring(int width, int height) {
        byte[] png = SyntheticEvents.png(1, 1, 0);
        ByteBuffer buf = ByteBuffer.wrap(png);
        buf.putInt(16, width);
        buf.putInt(20, height);
        CRC32 crc = new CRC32();
        crc.update(png, 12, 4 + 13);
        buf.putInt(12 + 4 + 13, (int) crc.getValue());
        return png;
    }

    private static GenericRecord generic(FeedbackEvent e, Schema as) {
        GenericRecord current = SERDE.toGeneric(e);
        GenericRecord out = new GenericData.Record(as);
        for (Schema.Field f : as.getFields()) {
            Schema.Field same = FeedbackEvent.getClassSchema().getField(f.name());
            if (same != null) {
                Object v = current.get(same.pos());
                out.put(f.pos(), v instanceof GenericData.EnumSymbol symbol
                        ? new GenericData.EnumSymbol(f.schema(), symbol.toString()) : v);
            }
        }
        return out;
    }

    /** The current FeedbackEvent schema with one piece of its JSON replaced. */
    private static Schema variant(String from, String to) {
        return parse(replace(FeedbackEvent.getClassSchema().toString(), from, to));
    }

    private static String replace(String json, String from, String to) {
        if (!json.contains(from)) {
            throw new IllegalStateException("the FeedbackEvent schema changed: no " + from + " in " + json);
        }
        return json.replace(from, to);
    }

    private static Schema parse(String json) {
        return new Schema.Parser().parse(json);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
