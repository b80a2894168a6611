package io.tpostream.ops.feedback;

import io.tpostream.schema.AvroSerde;
import io.tpostream.schema.FeedbackEvent;
import io.tpostream.streams.PairingConfig;
import io.tpostream.streams.validation.FeedbackValidator;
import io.tpostream.streams.validation.Verdict;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** tpo produce refuses exactly what the pairing app dead-letters as bad input, for the same reason. */
class PairingAdmissionTest {

    private static final Instant NOW = Instant.parse("2026-05-04T03:02:01Z");
    private static final String SHA = "ab".repeat(32);

    private final FeedbackJsonParser parser = new FeedbackJsonParser(Path.of("."), Clock.fixed(NOW, ZoneOffset.UTC),
            () -> "generated");
    private final PairingConfig config = PairingConfig.defaults();
    private final PairingAdmission admission = new PairingAdmission(config);
    private final FeedbackValidator stream = new FeedbackValidator(config);

    private static String line(String kindAndFields) {
        return "{\"modelName\":\"m\",\"modelVersion\":3,\"image\":{\"uri\":\"https://example.com/cat.png\","
                + "\"sha256\":\"" + SHA + "\"},\"prompt\":\"p\",\"response\":\"a cat\"," + kindAndFields + "}";
    }

    /** Lines the JSON parser reads as events, some of which the stream refuses. */
    private static final List<String> LINES = List.of(
            line("\"kind\":\"RATING\",\"rating\":4"),
            line("\"kind\":\"RATING\",\"rating\":7"),
            line("\"kind\":\"RATING\",\"rating\":0.5"),
            line("\"kind\":\"CORRECTION\",\"correctedResponse\":\" a cat \""),
            line("\"kind\":\"CORRECTION\",\"correctedResponse\":\"a dog\""),
            line("\"kind\":\"COMPARISON\",\"otherResponse\":\"a cat\",\"otherPreferred\":true"),
            line("\"kind\":\"RATING\",\"rating\":3,\"occurredAt\":\"2026-05-04T05:02:01Z\""),
            line("\"kind\":\"RATING\",\"rating\":3,\"occurredAt\":\"2025-05-04T03:02:01Z\""),
            line("\"kind\":\"RATING\",\"rating\":3,\"annotator\":\"" + "x".repeat(5000) + "\""));

    @Test
    void theCliAndTheStreamAgreeOnEveryLine() {
        AvroSerde<FeedbackEvent> serde = AvroSerde.of(FeedbackEvent.class);
        int refused = 0;
        for (int i = 0; i < LINES.size(); i++) {
            FeedbackLine parsed = new FeedbackLine.Parsed(i + 1, parser.parse(LINES.get(i)));
            assertInstanceOf(FeedbackLine.Parsed.class, parsed, LINES.get(i));
            FeedbackEvent e = ((FeedbackLine.Parsed) parsed).event();
            Verdict inStream = stream.validate(SHA.getBytes(StandardCharsets.UTF_8), serde.encode(e), NOW.toEpochMilli());
            FeedbackLine admitted = admission.admit(parsed, NOW.toEpochMilli());
            if (inStream instanceof Verdict.Rejected r) {
                refused++;
                FeedbackLine.Rejected cli = assertInstanceOf(FeedbackLine.Rejected.class, admitted, LINES.get(i));
                assertTrue(cli.reason().contains(r.rejection().reason().name()), cli.reason());
            } else {
                assertEquals(parsed, admitted, LINES.get(i));
            }
        }
        assertTrue(refused >= 5, "the parser alone accepted " + refused + " lines the stream refuses");
    }
}
