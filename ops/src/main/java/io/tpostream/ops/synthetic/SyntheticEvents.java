package io.tpostream.ops.synthetic;

import io.tpostream.schema.FeedbackEvent;
import io.tpostream.schema.FeedbackKind;
import io.tpostream.schema.ImageRef;
import io.tpostream.schema.Sha256;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;

/**
 * Valid feedback events and images for benchmarks and tests, built the way a serving application would: the one
 * place synthetic events are made. Pure apart from PNG encoding in memory.
 */
public final class SyntheticEvents {

    public static final String MODEL = "scene-vlm";

    private SyntheticEvents() {
    }

    /** A builder preset with everything a valid event of the kind needs except its kind-specific fields. */
    public static FeedbackEvent.Builder event(String eventId, FeedbackKind kind, ImageRef image, String prompt,
                                              String response, Instant occurredAt) {
        return FeedbackEvent.newBuilder()
                .setEventId(eventId)
                .setOccurredAt(occurredAt)
                .setModelName(MODEL)
                .setModelVersion(1)
                .setImage(image)
                .setPrompt(prompt)
                .setResponse(response)
                .setKind(kind)
                .setAnnotator("user-" + Math.floorMod(eventId.hashCode(), 1000))
                .setAttributes(Map.of());
    }

    public static FeedbackEvent rating(String eventId, ImageRef image, String prompt, String response, double rating,
                                       Instant occurredAt) {
        return event(eventId, FeedbackKind.RATING, image, prompt, response, occurredAt).setRating(rating).build();
    }

    public static FeedbackEvent correction(String eventId, ImageRef image, String prompt, String response,
                                           String corrected, Instant occurredAt) {
        return event(eventId, FeedbackKind.CORRECTION, image, prompt, response, occurredAt)
                .setCorrectedResponse(corrected).build();
    }

    public static FeedbackEvent comparison(String eventId, ImageRef image, String prompt, String response,
                                           String other, boolean otherPreferred, Instant occurredAt) {
        return event(eventId, FeedbackKind.COMPARISON, image, prompt, response, occurredAt)
                .setOtherResponse(other).setOtherPreferred(otherPreferred).build();
    }

    /**
     * An image known only by URI, as large deployments send them: the sha-256 stands for bytes that live elsewhere
     * (here: the hash of the name, so that every name has its own well-formed digest).
     */
    public static ImageRef imageByUri(String name) {
        return ImageRef.newBuilder()
                .setSha256(Sha256.hex(name.getBytes(StandardCharsets.UTF_8)))
                .setUri("https://images.example.com/" + name + ".png")
                .setWidth(64)
                .setHeight(64)
                .build();
    }

    /** An image carried inline, with the true sha-256 of its bytes. */
    public static ImageRef imageInline(byte[] encoded, int width, int height) {
        return ImageRef.newBuilder()
                .setSha256(Sha256.hex(encoded))
                .setBytes(ByteBuffer.wrap(encoded))
                .setMediaType("image/png")
                .setWidth(width)
                .setHeight(height)
                .build();
    }

    /** A real PNG; the seed varies the pixels (and so the sha-256). */
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
}
