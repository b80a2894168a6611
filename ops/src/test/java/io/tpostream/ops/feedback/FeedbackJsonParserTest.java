package io.tpostream.ops.feedback;

import io.tpostream.ops.testing.TestImages;
import io.tpostream.schema.FeedbackEvent;
import io.tpostream.schema.FeedbackKind;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FeedbackJsonParserTest {

    private static final Instant NOW = Instant.parse("2026-05-04T03:02:01Z");
    private static final String URI_SHA = "ab".repeat(32);

    @TempDir
    Path dir;

    private FeedbackJsonParser parser;
    private byte[] png;

    @BeforeEach
    void setUp() throws IOException {
        AtomicInteger ids = new AtomicInteger();
        parser = new FeedbackJsonParser(dir, Clock.fixed(NOW, ZoneOffset.UTC), () -> "generated-" + ids.incrementAndGet());
        png = TestImages.png(12, 7);
        Files.createDirectories(dir.resolve("img"));
        Files.write(dir.resolve("img/cat.png"), png);
        Files.writeString(dir.resolve("img/notes.txt"), "not an image");
    }

    /** A valid RATING line with the image given by path, with one field replaced or added. */
    private static String line(String extra) {
        return "{\"modelName\":\"m\",\"modelVersion\":3,\"image\":{\"path\":\"img/cat.png\"},\"prompt\":\"p\","
                + "\"response\":\"r\",\"kind\":\"RATING\",\"rating\":4" + (extra.isEmpty() ? "" : "," + extra) + "}";
    }

    @Test
    void ratingWithImageFileAndDefaults() {
        FeedbackEvent e = parser.parse(line(""));
        assertEquals("generated-1", e.getEventId());
        assertEquals(NOW, e.getOccurredAt());
        assertEquals("m", e.getModelName());
        assertEquals(3L, e.getModelVersion());
        assertEquals("p", e.getPrompt());
        assertEquals("r", e.getResponse());
        assertEquals(FeedbackKind.RATING, e.getKind());
        assertEquals(4.0, e.getRating());
        assertNull(e.getCorrectedResponse());
        assertNull(e.getAnnotator());
        assertEquals("default", e.getTenant());
        assertEquals(Map.of(), e.getAttributes());
        assertEquals(TestImages.sha256Hex(png), e.getImage().getSha256());
        assertArrayEquals(png, bytes(e.getImage().getBytes()));
        assertNull(e.getImage().getUri());
        assertEquals("image/png", e.getImage().getMediaType());
        assertEquals(12, e.getImage().getWidth());
        assertEquals(7, e.getImage().getHeight());
    }

    @Test
    void correctionWithEverythingGiven() {
        FeedbackEvent e = parser.parse("{\"eventId\":\"e-1\",\"occurredAt\":\"2026-01-02T03:04:05+02:00\","
                + "\"modelName\":\"m\",\"modelVersion\":0,\"image\":{\"path\":\"img/cat.png\",\"uri\":\"s3://b/cat.png\","
                + "\"sha256\":\"" + TestImages.sha256Hex(png).toUpperCase() + "\",\"mediaType\":\"image/png\","
                + "\"width\":12,\"height\":7},\"prompt\":\"p\",\"response\":\"r\",\"kind\":\"correction\","
                + "\"correctedResponse\":\"fixed\",\"annotator\":\"u1\",\"tenant\":\"acme\","
                + "\"attributes\":{\"b\":\"2\",\"a\":\"1\"},\"rating\":null}");
        assertEquals("e-1", e.getEventId());
        assertEquals(Instant.parse("2026-01-02T01:04:05Z"), e.getOccurredAt());
        assertEquals(FeedbackKind.CORRECTION, e.getKind());
        assertEquals("fixed", e.getCorrectedResponse());
        assertNull(e.getRating());
        assertEquals("u1", e.getAnnotator());
        assertEquals("acme", e.getTenant());
        assertEquals(Map.of("a", "1", "b", "2"), e.getAttributes());
        assertEquals("s3://b/cat.png", e.getImage().getUri());
        assertEquals(TestImages.sha256Hex(png), e.getImage().getSha256());
    }

    @Test
    void comparisonWithBase64JpegAndEpochMillis() {
        byte[] jpeg = TestImages.encoded("jpeg", 9, 5);
        FeedbackEvent e = parser.parse("{\"occurredAt\":1767323045000,\"modelName\":\"m\",\"modelVersion\":1,"
                + "\"image\":{\"base64\":\"" + Base64.getEncoder().encodeToString(jpeg) + "\"},\"prompt\":\"p\","
                + "\"response\":\"r\",\"kind\":\"COMPARISON\",\"otherResponse\":\"o\",\"otherPreferred\":false}");
        assertEquals(Instant.ofEpochMilli(1767323045000L), e.getOccurredAt());
        assertEquals(FeedbackKind.COMPARISON, e.getKind());
        assertEquals("o", e.getOtherResponse());
        assertEquals(false, e.getOtherPreferred());
        assertEquals("image/jpeg", e.getImage().getMediaType());
        assertEquals(9, e.getImage().getWidth());
        assertEquals(TestImages.sha256Hex(jpeg), e.getImage().getSha256());
    }

    @Test
    void imageByUriOnly() {
        FeedbackEvent e = parser.parse(line("").replace("{\"path\":\"img/cat.png\"}",
                "{\"uri\":\"https://h/x/scene.jpg?v=2\",\"sha256\":\"" + URI_SHA + "\",\"width\":64}"));
        assertEquals("https://h/x/scene.jpg?v=2", e.getImage().getUri());
        assertEquals(URI_SHA, e.getImage().getSha256());
        assertNull(e.getImage().getBytes());
        assertEquals("image/jpeg", e.getImage().getMediaType()); // from the name, since no bytes are at hand
        assertEquals(64, e.getImage().getWidth());
        assertEquals(0, e.getImage().getHeight()); // the schema's "unknown"
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
            "not JSON                 | {\"modelName\": | not valid JSON",
            "two documents            | {} {}        | not valid JSON",
            "duplicate field          | {\"kind\":\"RATING\",\"kind\":\"RATING\"} | not valid JSON: Duplicate field 'kind'",
            "array                    | [1,2]        | expected a JSON object {...}, found [1,2]",
            "string                   | `\"hi\"`     | expected a JSON object {...}, found \"hi\"",
    })
    void notAnObject(String name, String json, String expected) {
        assertRejected(json, expected);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
            "unknown field        | \"ratng\":5 | unknown field 'ratng' (known: eventId, occurredAt",
            "blank eventId        | \"eventId\":\" \" | 'eventId' must be a non-empty string, found \" \"",
            "numeric prompt field | \"annotator\":7 | 'annotator' must be a non-empty string, found 7",
            "bad occurredAt       | \"occurredAt\":\"yesterday\" | 'occurredAt' must be an ISO-8601 instant",
            "fractional millis    | \"occurredAt\":1.5 | 'occurredAt' must be an ISO-8601 instant",
            "attribute number     | \"tenant\":\"t\",\"attributes\":{\"n\":1} | 'attributes.n' must be a string, found 1",
            "attributes array     | \"attributes\":[] | 'attributes' must be an object of strings, found []",
            "boolean as text      | \"otherPreferred\":\"yes\" | 'otherPreferred' must be true or false, found \"yes\"",
    })
    void badFieldsOfARatingLine(String name, String extra, String expected) {
        assertRejected(line(extra), expected);
    }

    @Test
    void unknownImageField() {
        assertRejected(line("").replace("\"path\":", "\"x\":1,\"path\":"),
                "unknown field 'image.x' (known: path, base64, uri, sha256, mediaType, width, height)");
    }

    @ParameterizedTest(name = "missing {0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
            "modelName    | \"modelName\":\"m\",            | missing 'modelName': a non-empty string",
            "modelVersion | \"modelVersion\":3,             | missing 'modelVersion': a whole number >= 0",
            "image        | \"image\":{\"path\":\"img/cat.png\"}, | missing 'image': an object like",
            "prompt       | \"prompt\":\"p\",               | missing 'prompt': a non-empty string",
            "response     | \"response\":\"r\",             | missing 'response': a non-empty string",
            "kind         | \"kind\":\"RATING\",            | missing 'kind': a non-empty string",
            "rating       | ,\"rating\":4                   | missing 'rating': a number; kind RATING needs it",
    })
    void missingRequiredField(String field, String removed, String expected) {
        assertRejected(line("").replace(removed.strip(), ""), expected);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
            "negative version | -1    | 'modelVersion' must be a whole number from 0",
            "fraction version | 1.5   | 'modelVersion' must be a whole number from 0",
            "text version     | \"3\" | 'modelVersion' must be a whole number from 0",
    })
    void badModelVersion(String name, String value, String expected) {
        assertRejected(line("").replace("\"modelVersion\":3", "\"modelVersion\":" + value), expected);
    }

    @Test
    void badKindAndWhatEachKindNeeds() {
        assertRejected(line("").replace("\"RATING\"", "\"UNKNOWN\""),
                "'kind' must be RATING, CORRECTION or COMPARISON, not \"UNKNOWN\"");
        assertRejected(line("").replace("\"rating\":4", "\"rating\":\"high\""), "'rating' must be a number, found \"high\"");
        assertRejected(line("").replace("\"RATING\"", "\"CORRECTION\""),
                "missing 'correctedResponse': the user's fixed text; kind CORRECTION needs it");
        assertRejected(line("").replace("\"RATING\"", "\"COMPARISON\""),
                "missing 'otherResponse': the second response shown; kind COMPARISON needs it");
        assertRejected(line("\"otherResponse\":\"o\"").replace("\"RATING\"", "\"COMPARISON\""),
                "missing 'otherPreferred': true if otherResponse won; kind COMPARISON needs it");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
            "not an object     | `\"img/cat.png\"` | 'image' must be an object like {\"path\": \"cat.png\"}, found \"img/cat.png\"",
            "empty             | {}  | 'image' needs one of path (a file), base64 (the bytes) or uri (with sha256)",
            "path and base64   | {\"path\":\"img/cat.png\",\"base64\":\"AAAA\"} | 'image' has both path and base64",
            "missing file      | {\"path\":\"img/dog.png\"} | SEE-BELOW",
            "not an image file | {\"path\":\"img/notes.txt\"} | 'image' bytes are not an image in a format Java reads",
            "bad base64        | {\"base64\":\"***\"} | 'image.base64' is not valid base64",
            "relative uri      | {\"uri\":\"cat.png\",\"sha256\":\"SHA\"} | 'image.uri' must be an absolute URI",
            "uri without sha   | {\"uri\":\"https://h/cat.png\"} | missing 'image.sha256': 64 hex digits",
            "malformed sha     | {\"uri\":\"https://h/cat.png\",\"sha256\":\"abc\"} | 'image.sha256' must be 64 hex digits, not \"abc\"",
            "sha mismatch      | {\"path\":\"img/cat.png\",\"sha256\":\"SHA\"} | SEE-BELOW",
            "mediaType wrong   | {\"path\":\"img/cat.png\",\"mediaType\":\"image/jpeg\"} | 'image.mediaType' is image/jpeg but the bytes are image/png",
            "width wrong       | {\"path\":\"img/cat.png\",\"width\":13} | 'image' width/height are given as 13xnull but the image is 12x7",
            "height zero       | {\"uri\":\"https://h/cat.png\",\"sha256\":\"SHA\",\"height\":0} | 'image.height' must be a whole number from 1",
    })
    void badImage(String name, String image, String expected) {
        String json = line("").replace("{\"path\":\"img/cat.png\"}", image.replace("SHA", URI_SHA));
        if (name.equals("missing file")) {
            expected = "'image.path' " + dir.resolve("img/dog.png") + " does not exist (relative paths start at " + dir + ")";
        } else if (name.equals("sha mismatch")) {
            expected = "'image.sha256' is " + URI_SHA + " but the image bytes hash to " + TestImages.sha256Hex(png);
        }
        assertRejected(json, expected);
    }

    @Test
    void truncatedPngIsNotAnImage() throws IOException {
        Files.write(dir.resolve("img/cut.png"), Arrays.copyOf(png, png.length / 2));
        InvalidFeedbackException e = assertThrows(InvalidFeedbackException.class,
                () -> parser.parse(line("").replace("cat.png", "cut.png")));
        assertTrue(e.getMessage().startsWith("'image' bytes are not a readable png image"), e.getMessage());
    }

    @Test
    void everyLineIsReportedWithItsNumberAndBadOnesDoNotStopTheRest() throws IOException {
        String file = "\uFEFF" + line("\"eventId\":\"first\"") + "\n"
                + "\n"                                         // 2: blank, skipped silently
                + "{oops\n"                                    // 3
                + line("\"eventId\":\"fourth\"") + "\r\n"      // 4: Windows line end
                + "   \n"                                      // 5: blank
                + line("").replace("\"kind\":\"RATING\",", "") + "\n"  // 6: no kind
                + line("\"eventId\":\"seventh\"");             // 7: no final newline
        List<FeedbackLine> lines = new ArrayList<>();
        parser.forEachLine(new BufferedReader(new StringReader(file)), lines::add);

        assertEquals(List.of(1, 3, 4, 6, 7), lines.stream().map(FeedbackLine::lineNumber).toList());
        assertEquals("first", assertInstanceOf(FeedbackLine.Parsed.class, lines.get(0)).event().getEventId());
        assertTrue(assertInstanceOf(FeedbackLine.Rejected.class, lines.get(1)).reason().startsWith("not valid JSON"));
        assertEquals("fourth", assertInstanceOf(FeedbackLine.Parsed.class, lines.get(2)).event().getEventId());
        assertEquals("missing 'kind': a non-empty string",
                assertInstanceOf(FeedbackLine.Rejected.class, lines.get(3)).reason());
        assertEquals("seventh", assertInstanceOf(FeedbackLine.Parsed.class, lines.get(4)).event().getEventId());
    }

    @Test
    void theExampleFileIsValid() throws IOException {
        Path examples = Path.of("examples").toAbsolutePath();
        FeedbackJsonParser exampleParser = new FeedbackJsonParser(examples);
        List<FeedbackLine> lines = new ArrayList<>();
        try (BufferedReader in = Files.newBufferedReader(examples.resolve("feedback.jsonl"))) {
            exampleParser.forEachLine(in, lines::add);
        }
        assertEquals(Files.readAllLines(examples.resolve("feedback.jsonl")).size(), lines.size());
        lines.forEach(l -> assertInstanceOf(FeedbackLine.Parsed.class, l, l.toString()));
    }

    private void assertRejected(String json, String expectedStart) {
        InvalidFeedbackException e = assertThrows(InvalidFeedbackException.class, () -> parser.parse(json), json);
        assertTrue(e.getMessage().startsWith(expectedStart),
                "expected a message starting with\n  " + expectedStart + "\nbut was\n  " + e.getMessage());
    }

    private static byte[] bytes(ByteBuffer buffer) {
        byte[] out = new byte[buffer.remaining()];
        buffer.duplicate().get(out);
        return out;
    }
}
