package io.tpostream.streams;

import io.tpostream.schema.AvroSerde;
import io.tpostream.schema.FeedbackEvent;
import io.tpostream.schema.FeedbackKind;
import io.tpostream.schema.ImageRef;
import io.tpostream.schema.Sha256;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.util.Utf8;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.zip.CRC32;

/** Test data: feedback events and the images and encodings they carry. The one place tests build events. */
public final class TestEvents {

    /** A fixed point in time all tests count from. */
    public static final Instant T0 = Instant.parse("2026-11-26T10:00:00Z");
    public static final String PROMPT = "Describe the image.";
    private static final AvroSerde<FeedbackEvent> SERDE = AvroSerde.of(FeedbackEvent.class);

    private TestEvents() {
    }

    public static Builder rating(String eventId, double rating) {
        return new Builder(eventId, FeedbackKind.RATING).rating(rating);
    }

    public static Builder correction(String eventId, String response, String corrected) {
        return new Builder(eventId, FeedbackKind.CORRECTION).response(response).correctedResponse(corrected);
    }

    public static Builder comparison(String eventId, String response, String other, boolean otherPreferred) {
        return new Builder(eventId, FeedbackKind.COMPARISON).response(response).otherResponse(other)
                .otherPreferred(otherPreferred);
    }

    public static byte[] encode(FeedbackEvent e) {
        return SERDE.encode(e);
    }

    /** A real PNG of the given size; the seed varies the pixels (and so the sha-256). */
    public static byte[] png(int width, int height, int seed) {
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                img.setRGB(x, y, (x * 31 + y * 17 + seed * 7919) & 0xFFFFFF);
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ImageIO.write(img, "png", out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /**
     * An "image bomb": a valid 1x1 PNG whose IHDR chunk is patched to declare the given size, CRC fixed so that the
     * header is fully valid. A decoder that trusted it would allocate width x height pixels.
     */
    public static byte[] pngDeclaring(int width, int height) {
        byte[] png = png(1, 1, 0);
        // 8-byte signature, then IHDR: length (4) "IHDR" (4) width (4) height (4) ... CRC over type + data
        ByteBuffer buf = ByteBuffer.wrap(png);
        if (buf.getInt(8) != 13 || buf.getInt(12) != 0x49484452) {
            throw new IllegalStateException("unexpected PNG layout");
        }
        buf.putInt(16, width);
        buf.putInt(20, height);
        CRC32 crc = new CRC32();
        crc.update(png, 12, 4 + 13);
        buf.putInt(12 + 4 + 13, (int) crc.getValue());
        return png;
    }

    /** A FeedbackEvent as the first release (schema v1) wrote it, for the same fields this builder sets. */
    public static byte[] encodeWithV1Schema(FeedbackEvent e) {
        Schema v1 = historySchema("FeedbackEvent-v1.avsc");
        GenericRecord image = new GenericData.Record(v1.getField("image").schema());
        ImageRef ref = e.getImage();
        image.put("sha256", ref.getSha256());
        image.put("uri", ref.getUri());
        image.put("bytes", ref.getBytes());
        image.put("mediaType", ref.getMediaType());
        image.put("width", ref.getWidth());
        image.put("height", ref.getHeight());
        GenericRecord old = new GenericData.Record(v1);
        old.put("eventId", e.getEventId());
        old.put("occurredAt", e.getOccurredAt().toEpochMilli());
        old.put("modelName", e.getModelName());
        old.put("modelVersion", e.getModelVersion());
        old.put("image", image);
        old.put("prompt", e.getPrompt());
        old.put("response", e.getResponse());
        old.put("kind", new GenericData.EnumSymbol(v1.getField("kind").schema(), e.getKind().name()));
        old.put("rating", e.getRating());
        old.put("correctedResponse", e.getCorrectedResponse());
        old.put("otherResponse", e.getOtherResponse());
        old.put("otherPreferred", e.getOtherPreferred());
        return AvroSerde.encodeGeneric(v1, old);
    }

    /**
     * A record from a writer whose schema no release knows: the current FeedbackEvent schema plus one field, so
     * its fingerprint is unknown to the catalog.
     */
    public static byte[] encodeWithUnknownSchema() {
        Schema future = new Schema.Parser().parse(FeedbackEvent.getClassSchema().toString().replace(
                "{\"name\":\"tenant\"", "{\"name\":\"locale\",\"type\":\"string\",\"default\":\"en\"},{\"name\":\"tenant\""));
        FeedbackEvent e = rating("future-1", 4).build();
        GenericRecord rec = new GenericData.Record(future);
        for (Schema.Field f : FeedbackEvent.getClassSchema().getFields()) {
            if (!f.name().equals("image") && !f.name().equals("kind") && !f.name().equals("occurredAt")) {
                rec.put(f.name(), e.get(f.pos()));
            }
        }
        GenericRecord image = new GenericData.Record(future.getField("image").schema());
        image.put("sha256", e.getImage().getSha256());
        image.put("uri", e.getImage().getUri());
        image.put("mediaType", "image/png");
        image.put("width", 0);
        image.put("height", 0);
        rec.put("image", image);
        rec.put("occurredAt", e.getOccurredAt().toEpochMilli());
        rec.put("kind", new GenericData.EnumSymbol(future.getField("kind").schema(), "RATING"));
        rec.put("locale", "de");
        return AvroSerde.encodeGeneric(future, rec);
    }

    /**
     * The event as a writer with the current schema would encode it if it put these raw bytes, which need not be
     * UTF-8, into the given top-level string field.
     */
    public static byte[] encodeWithRawText(FeedbackEvent e, String field, byte[] rawText) {
        GenericRecord generic = SERDE.toGeneric(e);
        generic.put(field, new Utf8(rawText));
        return AvroSerde.encodeGeneric(FeedbackEvent.getClassSchema(), generic);
    }

    private static Schema historySchema(String name) {
        try (InputStream in = TestEvents.class.getResourceAsStream("/avro-history/" + name)) {
            return new Schema.Parser().parse(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** An image reference carried by URI only: cheap, for tests that are not about images. */
    public static ImageRef imageByUri(String name) {
        return ImageRef.newBuilder().setSha256(Sha256.hex(name.getBytes(java.nio.charset.StandardCharsets.UTF_8)))
                .setUri("file:///images/" + name + ".png").build();
    }

    /** An image reference carrying the given bytes inline, with their true sha-256. */
    public static ImageRef imageInline(byte[] bytes) {
        return ImageRef.newBuilder().setSha256(Sha256.hex(bytes)).setBytes(ByteBuffer.wrap(bytes)).build();
    }

    /** Fluent event builder with sensible defaults: a valid event of its kind, occurred at {@link #T0}. */
    public static final class Builder {
        private final FeedbackEvent.Builder b;
        private ImageRef image = imageByUri("cat");

        private Builder(String eventId, FeedbackKind kind) {
            b = FeedbackEvent.newBuilder()
                    .setEventId(eventId)
                    .setOccurredAt(T0)
                    .setModelName("scene-vlm")
                    .setModelVersion(1)
                    .setPrompt(PROMPT)
                    .setResponse("a cat on a mat")
                    .setKind(kind)
                    .setAnnotator("u-1")
                    .setAttributes(new HashMap<>());
        }

        public Builder response(String v) {
            b.setResponse(v);
            return this;
        }

        public Builder prompt(String v) {
            b.setPrompt(v);
            return this;
        }

        public Builder rating(Double v) {
            b.setRating(v);
            return this;
        }

        public Builder correctedResponse(String v) {
            b.setCorrectedResponse(v);
            return this;
        }

        public Builder otherResponse(String v) {
            b.setOtherResponse(v);
            return this;
        }

        public Builder otherPreferred(Boolean v) {
            b.setOtherPreferred(v);
            return this;
        }

        public Builder kind(FeedbackKind v) {
            b.setKind(v);
            return this;
        }

        public Builder eventId(String v) {
            b.setEventId(v);
            return this;
        }

        public Builder occurredAt(Instant v) {
            b.setOccurredAt(v);
            return this;
        }

        public Builder modelName(String v) {
            b.setModelName(v);
            return this;
        }

        public Builder modelVersion(long v) {
            b.setModelVersion(v);
            return this;
        }

        public Builder tenant(String v) {
            b.setTenant(v);
            return this;
        }

        public Builder attributes(Map<String, String> v) {
            b.setAttributes(v);
            return this;
        }

        public Builder image(ImageRef v) {
            this.image = v;
            return this;
        }

        public FeedbackEvent build() {
            return b.setImage(ImageRef.newBuilder(image).build()).build();
        }

        public byte[] encoded() {
            return encode(build());
        }
    }
}
