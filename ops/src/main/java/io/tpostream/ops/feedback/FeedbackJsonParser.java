package io.tpostream.ops.feedback;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tpostream.ops.json.Json;
import io.tpostream.schema.FeedbackEvent;
import io.tpostream.schema.FeedbackKind;
import io.tpostream.schema.ImageProbe;
import io.tpostream.schema.ImageRef;
import io.tpostream.schema.Sha256;

import java.io.BufferedReader;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLConnection;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Feedback events written as JSON, one per line (the input of {@code tpo produce}). The format, field by field:
 *
 * <pre>
 * eventId            string, optional: a random UUID if absent (give one to make re-sends detectable)
 * occurredAt         ISO-8601 instant ("2026-03-01T12:00:00Z", offsets allowed) or epoch milliseconds; default: now
 * modelName          string, required: the model that wrote the response
 * modelVersion       whole number &gt;= 0, required (0 = the base model)
 * image              object, required, one of:
 *                      {"path": "img/cat.png"}   a file, relative to the JSONL file; sent inline
 *                      {"base64": "iVBORw0..."}  the encoded bytes; sent inline
 *                      {"uri": "https://...", "sha256": "..."}  a reference; sha256 required, bytes not sent
 *                    plus optional: uri (also allowed with path/base64), sha256 (checked against the bytes),
 *                    mediaType, width, height (taken from the bytes when they are at hand, checked if given)
 * prompt             string, required
 * response           string, required: what the model wrote
 * kind               RATING | CORRECTION | COMPARISON, required
 * rating             number, required for RATING
 * correctedResponse  string, required for CORRECTION
 * otherResponse      string, required for COMPARISON: the second response shown
 * otherPreferred     boolean, required for COMPARISON: true if otherResponse won
 * annotator          string, optional: a pseudonymous user id
 * tenant             string, optional, default "default"
 * attributes         object of string values, optional
 * </pre>
 *
 * A JSON {@code null} counts as absent; unknown fields are errors (a misspelt field would otherwise vanish).
 */
public final class FeedbackJsonParser {

    static final List<String> EVENT_FIELDS = List.of("eventId", "occurredAt", "modelName", "modelVersion", "image",
            "prompt", "response", "kind", "rating", "correctedResponse", "otherResponse", "otherPreferred",
            "annotator", "tenant", "attributes");
    static final List<String> IMAGE_FIELDS = List.of("path", "base64", "uri", "sha256", "mediaType", "width",
            "height");
    private static final String DEFAULT_MEDIA_TYPE = "image/png";

    private final Path baseDir;
    private final Clock clock;
    private final Supplier<String> eventIds;

    /**
     * @param baseDir  where relative image paths start: the directory of the JSONL file
     * @param clock    gives occurredAt when a line has none
     * @param eventIds gives eventId when a line has none
     */
    public FeedbackJsonParser(Path baseDir, Clock clock, Supplier<String> eventIds) {
        this.baseDir = baseDir;
        this.clock = clock;
        this.eventIds = eventIds;
    }

    public FeedbackJsonParser(Path baseDir) {
        this(baseDir, Clock.systemUTC(), () -> UUID.randomUUID().toString());
    }

    /**
     * Reads every line; blank lines are skipped, every other line becomes a {@link FeedbackLine}, so one bad line
     * never stops the rest.
     */
    public void forEachLine(BufferedReader in, Consumer<FeedbackLine> sink) throws IOException {
        int number = 0;
        String line;
        while ((line = in.readLine()) != null) {
            number++;
            if (number == 1 && line.startsWith("\uFEFF")) {
                line = line.substring(1); // a byte-order mark some editors write
            }
            if (line.isBlank()) {
                continue;
            }
            try {
                sink.accept(new FeedbackLine.Parsed(number, parse(line)));
            } catch (InvalidFeedbackException e) {
                sink.accept(new FeedbackLine.Rejected(number, e.getMessage()));
            }
        }
    }

    /** @throws InvalidFeedbackException saying what is wrong and how it should look */
    public FeedbackEvent parse(String json) {
        JsonNode root;
        try {
            root = Json.mapper().readTree(json);
        } catch (JsonProcessingException e) {
            throw new InvalidFeedbackException("not valid JSON: " + e.getOriginalMessage()
                    + " (column " + e.getLocation().getColumnNr() + ")");
        }
        if (!(root instanceof ObjectNode object)) {
            throw new InvalidFeedbackException("expected a JSON object {...}, found " + describe(root));
        }
        Fields f = new Fields(object, "");
        f.rejectUnknown(EVENT_FIELDS);

        FeedbackKind kind = kind(f.requiredText("kind"));
        FeedbackEvent.Builder event = FeedbackEvent.newBuilder()
                .setEventId(f.text("eventId").orElseGet(eventIds))
                .setOccurredAt(f.node("occurredAt").map(n -> instant(n, "occurredAt")).orElseGet(clock::instant))
                .setModelName(f.requiredText("modelName"))
                .setModelVersion(f.wholeNumber("modelVersion", 0, Long.MAX_VALUE)
                        .orElseThrow(() -> missing("modelVersion", "a whole number >= 0, 0 for the base model")))
                .setImage(image(f.node("image").orElseThrow(() -> missing("image", "an object like {\"path\": \"cat.png\"}"))))
                .setPrompt(f.requiredText("prompt"))
                .setResponse(f.requiredText("response"))
                .setKind(kind)
                .setRating(f.number("rating").orElse(null))
                .setCorrectedResponse(f.text("correctedResponse").orElse(null))
                .setOtherResponse(f.text("otherResponse").orElse(null))
                .setOtherPreferred(f.bool("otherPreferred").orElse(null))
                .setAnnotator(f.text("annotator").orElse(null))
                .setTenant(f.text("tenant").orElse("default"))
                .setAttributes(f.node("attributes").map(FeedbackJsonParser::attributes).orElseGet(Map::of));
        requireWhatTheKindNeeds(kind, event);
        return event.build();
    }

    private static FeedbackKind kind(String text) {
        String upper = text.toUpperCase(Locale.ROOT);
        if (upper.equals("RATING") || upper.equals("CORRECTION") || upper.equals("COMPARISON")) {
            return FeedbackKind.valueOf(upper);
        }
        throw new InvalidFeedbackException("'kind' must be RATING, CORRECTION or COMPARISON, not \"" + text + "\"");
    }

    private static void requireWhatTheKindNeeds(FeedbackKind kind, FeedbackEvent.Builder e) {
        switch (kind) {
            case RATING -> {
                if (e.getRating() == null) {
                    throw missing("rating", "a number; kind RATING needs it");
                }
            }
            case CORRECTION -> {
                if (e.getCorrectedResponse() == null) {
                    throw missing("correctedResponse", "the user's fixed text; kind CORRECTION needs it");
                }
            }
            case COMPARISON -> {
                if (e.getOtherResponse() == null) {
                    throw missing("otherResponse", "the second response shown; kind COMPARISON needs it");
                }
                if (e.getOtherPreferred() == null) {
                    throw missing("otherPreferred", "true if otherResponse won; kind COMPARISON needs it");
                }
            }
            default -> throw new IllegalStateException("kind() returns only the three kinds above");
        }
    }

    private ImageRef image(JsonNode node) {
        if (!(node instanceof ObjectNode object)) {
            throw new InvalidFeedbackException("'image' must be an object like {\"path\": \"cat.png\"}, found "
                    + describe(node));
        }
        Fields f = new Fields(object, "image.");
        f.rejectUnknown(IMAGE_FIELDS);
        Optional<String> path = f.text("path");
        Optional<String> base64 = f.text("base64");
        Optional<String> uri = f.text("uri").map(FeedbackJsonParser::absoluteUri);
        if (path.isPresent() && base64.isPresent()) {
            throw new InvalidFeedbackException("'image' has both path and base64: give one of them");
        }
        if (path.isEmpty() && base64.isEmpty() && uri.isEmpty()) {
            throw new InvalidFeedbackException("'image' needs one of path (a file), base64 (the bytes) or uri "
                    + "(with sha256)");
        }
        Optional<String> givenSha = f.text("sha256").map(s -> s.toLowerCase(Locale.ROOT));
        Optional<String> givenMediaType = f.text("mediaType");
        Optional<Long> givenWidth = f.wholeNumber("width", 1, Integer.MAX_VALUE);
        Optional<Long> givenHeight = f.wholeNumber("height", 1, Integer.MAX_VALUE);

        byte[] bytes = path.map(this::readImageFile).or(() -> base64.map(FeedbackJsonParser::decodeBase64)).orElse(null);
        ImageRef.Builder image = ImageRef.newBuilder().setUri(uri.orElse(null));
        if (bytes == null) {
            String sha = givenSha.orElseThrow(() -> missing("image.sha256",
                    "64 hex digits; an image given only by uri needs it, since its bytes are not at hand"));
            if (!Sha256.isWellFormed(sha)) {
                throw new InvalidFeedbackException("'image.sha256' must be 64 hex digits, not \"" + sha + "\"");
            }
            return image.setSha256(sha)
                    .setMediaType(givenMediaType.orElseGet(() -> guessMediaType(uri.get())))
                    .setWidth(givenWidth.map(Long::intValue).orElse(0))
                    .setHeight(givenHeight.map(Long::intValue).orElse(0))
                    .build();
        }
        String sha = Sha256.hex(bytes);
        if (givenSha.isPresent() && !givenSha.get().equals(sha)) {
            throw new InvalidFeedbackException("'image.sha256' is " + givenSha.get()
                    + " but the image bytes hash to " + sha);
        }
        ImageProbe.Probed probed;
        try {
            probed = ImageProbe.probe(bytes);
        } catch (IllegalArgumentException e) {
            throw new InvalidFeedbackException("'image' bytes are " + e.getMessage());
        }
        if (givenMediaType.isPresent() && !probed.mediaTypes().contains(givenMediaType.get())) {
            throw new InvalidFeedbackException("'image.mediaType' is " + givenMediaType.get() + " but the bytes are "
                    + probed.mediaType());
        }
        if (givenWidth.isPresent() && givenWidth.get() != probed.width()
                || givenHeight.isPresent() && givenHeight.get() != probed.height()) {
            throw new InvalidFeedbackException("'image' width/height are given as " + givenWidth.orElse(null) + "x"
                    + givenHeight.orElse(null) + " but the image is " + probed.width() + "x" + probed.height());
        }
        return image.setSha256(sha)
                .setBytes(ByteBuffer.wrap(bytes))
                .setMediaType(givenMediaType.orElse(probed.mediaType()))
                .setWidth(probed.width())
                .setHeight(probed.height())
                .build();
    }

    private byte[] readImageFile(String path) {
        Path file = baseDir.resolve(path).normalize();
        try {
            return Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new InvalidFeedbackException("'image.path' " + file + " does not exist (relative paths start at "
                    + baseDir + ")");
        } catch (IOException e) {
            throw new InvalidFeedbackException("'image.path' " + file + " cannot be read: " + e.getMessage());
        }
    }

    private static byte[] decodeBase64(String text) {
        try {
            return Base64.getDecoder().decode(text);
        } catch (IllegalArgumentException e) {
            throw new InvalidFeedbackException("'image.base64' is not valid base64: " + e.getMessage());
        }
    }

    private static String absoluteUri(String text) {
        try {
            URI uri = new URI(text);
            if (uri.isAbsolute()) {
                return text;
            }
        } catch (URISyntaxException e) {
            // reported below
        }
        throw new InvalidFeedbackException("'image.uri' must be an absolute URI such as https://host/cat.png or "
                + "file:///data/cat.png, not \"" + text + "\"");
    }

    private static String guessMediaType(String uri) {
        String guessed = URLConnection.guessContentTypeFromName(URI.create(uri).getPath());
        return guessed != null && guessed.startsWith("image/") ? guessed : DEFAULT_MEDIA_TYPE;
    }

    private static Instant instant(JsonNode node, String name) {
        if (node.isIntegralNumber() && node.canConvertToLong()) {
            return Instant.ofEpochMilli(node.longValue());
        }
        if (node.isTextual()) {
            String text = node.textValue();
            try {
                return Instant.parse(text);
            } catch (DateTimeException notAnInstant) {
                try {
                    return OffsetDateTime.parse(text).toInstant();
                } catch (DateTimeException e) {
                    // reported below
                }
            }
        }
        throw new InvalidFeedbackException("'" + name + "' must be an ISO-8601 instant such as "
                + "\"2026-03-01T12:00:00Z\" or epoch milliseconds, not " + describe(node));
    }

    private static Map<String, String> attributes(JsonNode node) {
        if (!(node instanceof ObjectNode object)) {
            throw new InvalidFeedbackException("'attributes' must be an object of strings, found " + describe(node));
        }
        Map<String, String> out = new LinkedHashMap<>();
        object.fields().forEachRemaining(e -> {
            if (!e.getValue().isTextual()) {
                throw new InvalidFeedbackException("'attributes." + e.getKey() + "' must be a string, found "
                        + describe(e.getValue()));
            }
            out.put(e.getKey(), e.getValue().textValue());
        });
        return out;
    }

    private static InvalidFeedbackException missing(String name, String what) {
        return new InvalidFeedbackException("missing '" + name + "': " + what);
    }

    /** A value as the message shows it: its JSON, shortened. */
    static String describe(JsonNode node) {
        String json = Json.line(node);
        return json.length() <= 40 ? json : json.substring(0, 37) + "...";
    }

    /** Typed access to the fields of one JSON object, with messages that name the field. */
    private record Fields(ObjectNode object, String prefix) {

        void rejectUnknown(List<String> known) {
            object.fieldNames().forEachRemaining(name -> {
                if (!known.contains(name)) {
                    throw new InvalidFeedbackException("unknown field '" + prefix + name + "' (known: "
                            + String.join(", ", known) + ")");
                }
            });
        }

        /** The field, if present and not null. */
        Optional<JsonNode> node(String name) {
            JsonNode n = object.get(name);
            return n == null || n.isNull() ? Optional.empty() : Optional.of(n);
        }

        /** An optional non-blank string. */
        Optional<String> text(String name) {
            return node(name).map(n -> {
                if (!n.isTextual() || n.textValue().isBlank()) {
                    throw new InvalidFeedbackException("'" + prefix + name + "' must be a non-empty string, found "
                            + describe(n));
                }
                return n.textValue();
            });
        }

        String requiredText(String name) {
            return text(name).orElseThrow(() -> missing(prefix + name, "a non-empty string"));
        }

        Optional<Long> wholeNumber(String name, long min, long max) {
            return node(name).map(n -> {
                if (!n.isIntegralNumber() || !n.canConvertToLong() || n.longValue() < min || n.longValue() > max) {
                    throw new InvalidFeedbackException("'" + prefix + name + "' must be a whole number from " + min
                            + " to " + max + ", found " + describe(n));
                }
                return n.longValue();
            });
        }

        Optional<Double> number(String name) {
            return node(name).map(n -> {
                if (!n.isNumber() || !Double.isFinite(n.doubleValue())) {
                    throw new InvalidFeedbackException("'" + prefix + name + "' must be a number, found " + describe(n));
                }
                return n.doubleValue();
            });
        }

        Optional<Boolean> bool(String name) {
            return node(name).map(n -> {
                if (!n.isBoolean()) {
                    throw new InvalidFeedbackException("'" + prefix + name + "' must be true or false, found "
                            + describe(n));
                }
                return n.booleanValue();
            });
        }
    }
}
