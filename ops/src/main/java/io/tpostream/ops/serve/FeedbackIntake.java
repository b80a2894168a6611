package io.tpostream.ops.serve;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tpostream.ops.json.Json;
import io.tpostream.schema.FeedbackEvent;
import io.tpostream.schema.FeedbackKind;
import io.tpostream.schema.ImageRef;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

/**
 * Turns a user's feedback on a caption this service wrote into a {@link FeedbackEvent}: the image, prompt, caption
 * and the model version that wrote it come from the service's own record of the caption (by {@code caption_id}),
 * so the event says what was really shown, and which version showed it: the on-policy loop.
 *
 * <pre>
 * {"caption_id": "...", "kind": "rating",     "rating": 4}
 * {"caption_id": "...", "kind": "correction", "corrected_response": "a red circle ."}
 * {"caption_id": "...", "kind": "comparison", "other_response": "...", "other_preferred": true}
 * optional: "event_id" (a retry with the same id is de-duplicated downstream), "annotator", "tenant",
 *           "attributes" {string: string}
 * </pre>
 */
final class FeedbackIntake {

    private static final List<String> FIELDS = List.of("caption_id", "kind", "rating", "corrected_response",
            "other_response", "other_preferred", "event_id", "annotator", "tenant", "attributes");

    private final RecentCaptions recent;
    private final Clock clock;

    FeedbackIntake(RecentCaptions recent, Clock clock) {
        this.recent = recent;
        this.clock = clock;
    }

    /** @throws CaptionService.RefusedException for malformed feedback (400) or an unknown caption id (404) */
    FeedbackEvent event(byte[] body) {
        JsonNode root;
        try {
            root = Json.mapper().readTree(body);
        } catch (JsonProcessingException e) {
            throw bad("the body is not JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw bad("the body is not JSON: " + e.getMessage());
        }
        if (!(root instanceof ObjectNode object)) {
            throw bad("the body must be a JSON object like {\"caption_id\": \"...\", \"kind\": \"rating\", "
                    + "\"rating\": 4}");
        }
        object.fieldNames().forEachRemaining(name -> {
            if (!FIELDS.contains(name)) {
                throw bad("unknown field '" + name + "'; fields: " + String.join(", ", FIELDS));
            }
        });
        String captionId = text(object, "caption_id", true);
        RecentCaptions.Shown shown = recent.get(captionId).orElseThrow(() -> new CaptionService.RefusedException(404,
                "unknown_caption", "no caption " + captionId + " is known here (never written, or forgotten since:"
                + " send feedback soon after the caption)"));
        FeedbackKind kind = kind(text(object, "kind", true));
        FeedbackEvent.Builder event = FeedbackEvent.newBuilder()
                .setEventId(orDefault(text(object, "event_id", false), UUID.randomUUID().toString()))
                .setOccurredAt(clock.instant())
                .setModelName(shown.modelName())
                .setModelVersion(shown.modelVersion())
                .setImage(ImageRef.newBuilder().setSha256(shown.imageSha256()).setBytes(ByteBuffer.wrap(shown.image()))
                        .setMediaType(shown.mediaType()).setWidth(shown.width()).setHeight(shown.height()).build())
                .setPrompt(shown.prompt())
                .setResponse(shown.caption())
                .setKind(kind)
                .setAnnotator(text(object, "annotator", false))
                .setTenant(orDefault(text(object, "tenant", false), "default"))
                .setAttributes(attributes(object));
        switch (kind) {
            case RATING -> {
                JsonNode rating = object.get("rating");
                if (rating == null || !rating.isNumber() || !Double.isFinite(rating.doubleValue())) {
                    throw bad("kind rating needs 'rating', a number");
                }
                event.setRating(rating.doubleValue());
            }
            case CORRECTION -> event.setCorrectedResponse(text(object, "corrected_response", true));
            case COMPARISON -> {
                event.setOtherResponse(text(object, "other_response", true));
                JsonNode preferred = object.get("other_preferred");
                if (preferred == null || !preferred.isBoolean()) {
                    throw bad("kind comparison needs 'other_preferred': true if other_response won");
                }
                event.setOtherPreferred(preferred.booleanValue());
            }
            default -> throw new IllegalStateException("kind() returns only the three kinds above");
        }
        return event.build();
    }

    private static FeedbackKind kind(String text) {
        return switch (text.toLowerCase(Locale.ROOT)) {
            case "rating" -> FeedbackKind.RATING;
            case "correction" -> FeedbackKind.CORRECTION;
            case "comparison" -> FeedbackKind.COMPARISON;
            default -> throw bad("'kind' must be rating, correction or comparison, not \"" + text + "\"");
        };
    }

    private static String text(ObjectNode object, String name, boolean required) {
        JsonNode node = object.get(name);
        if (node == null || node.isNull()) {
            if (required) {
                throw bad("'" + name + "' is missing");
            }
            return null;
        }
        if (!node.isTextual() || node.asText().isBlank()) {
            throw bad("'" + name + "' must be a non-empty string");
        }
        return node.asText();
    }

    private static Map<String, String> attributes(ObjectNode object) {
        JsonNode node = object.get("attributes");
        Map<String, String> out = new LinkedHashMap<>();
        if (node == null || node.isNull()) {
            return out;
        }
        if (!node.isObject()) {
            throw bad("'attributes' must be an object of strings");
        }
        node.fields().forEachRemaining(e -> {
            if (!e.getValue().isTextual()) {
                throw bad("'attributes." + e.getKey() + "' must be a string");
            }
            out.put(e.getKey(), e.getValue().asText());
        });
        return out;
    }

    private static String orDefault(String value, String otherwise) {
        return value == null ? otherwise : value;
    }

    private static CaptionService.RefusedException bad(String message) {
        return new CaptionService.RefusedException(400, "bad_feedback", message);
    }
}
