package io.tpostream.streams.validation;

import io.tpostream.schema.FeedbackEvent;
import io.tpostream.streams.PairingConfig;
import io.tpostream.streams.RejectReason;
import io.tpostream.streams.TestEvents;
import org.junit.jupiter.api.Test;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

import static io.tpostream.streams.TestEvents.T0;
import static io.tpostream.streams.TestEvents.comparison;
import static io.tpostream.streams.TestEvents.correction;
import static io.tpostream.streams.TestEvents.rating;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The validator on its own: no Kafka, boundaries of every limit. */
class FeedbackValidatorTest {

    private static final PairingConfig CONFIG = PairingConfig.defaults();
    private final FeedbackValidator validator = new FeedbackValidator(CONFIG);
    private final long recordTime = T0.toEpochMilli();

    private Optional<RejectReason> check(FeedbackEvent e) {
        return check(validator, e);
    }

    private Optional<RejectReason> check(FeedbackValidator v, FeedbackEvent e) {
        return v.check(e.getImage().getSha256(), e, recordTime).map(Rejection::reason);
    }

    private static Optional<RejectReason> ok() {
        return Optional.empty();
    }

    @Test
    void validEventsOfEveryKindPass() {
        assertEquals(ok(), check(rating("r", 3).build()));
        assertEquals(ok(), check(correction("c", "a dog", "a cat").build()));
        assertEquals(ok(), check(comparison("k", "a dog", "a cat", false).build()));
        assertEquals(ok(), check(rating("png", 3).image(TestEvents.imageInline(TestEvents.png(32, 24, 1))).build()));
        assertEquals(ok(), check(rating("jpg", 3).image(TestEvents.imageInline(jpeg(20, 10))).build()));
    }

    @Test
    void textsUpToTheLimitPassOneMoreCharIsRefusedNamingTheField() {
        int max = CONFIG.maxTextChars();
        assertEquals(ok(), check(rating("r", 3).prompt("p".repeat(max)).build()));
        Optional<Rejection> r = validator.check(TestEvents.imageByUri("cat").getSha256(),
                rating("r", 3).attributes(Map.of("app", "v".repeat(max + 1))).build(), recordTime);
        assertEquals(RejectReason.FIELD_TOO_LONG, r.orElseThrow().reason());
        assertTrue(r.get().detail().contains("attributes['app']"), r.get().detail());
        assertEquals(Optional.of(RejectReason.FIELD_TOO_LONG),
                check(correction("c", "a dog", "c".repeat(max + 1)).build()));
    }

    @Test
    void ratingsAtTheRangeEndsPass() {
        assertEquals(ok(), check(rating("lo", CONFIG.ratingMin()).build()));
        assertEquals(ok(), check(rating("hi", CONFIG.ratingMax()).build()));
        assertEquals(Optional.of(RejectReason.RATING_OUT_OF_RANGE), check(rating("x", Math.nextUp(5.0)).build()));
    }

    @Test
    void occurredAtExactlyAtEitherLimitPasses() {
        Instant rt = Instant.ofEpochMilli(recordTime);
        assertEquals(ok(), check(rating("f", 3).occurredAt(rt.plus(CONFIG.maxFutureSkew())).build()));
        assertEquals(ok(), check(rating("s", 3).occurredAt(rt.minus(CONFIG.maxAge())).build()));
    }

    @Test
    void onlyTheRecordTimestampMattersNotTheWallClock() {
        Instant longAgo = Instant.parse("2001-02-03T04:05:06Z");
        FeedbackEvent e = rating("old", 3).occurredAt(longAgo).build();
        assertEquals(ok(), validator.check(e.getImage().getSha256(), e, longAgo.toEpochMilli()).map(Rejection::reason));
    }

    @Test
    void imagesAtTheByteAndPixelLimitsPass() {
        byte[] png = TestEvents.png(16, 16, 2);
        FeedbackValidator tight = new FeedbackValidator(CONFIG.toBuilder().maxImageBytes(png.length)
                .maxImagePixels(16 * 16).build());
        assertEquals(ok(), check(tight, rating("r", 3).image(TestEvents.imageInline(png)).build()));
        byte[] taller = TestEvents.png(16, 17, 2);
        FeedbackValidator byPixels = new FeedbackValidator(CONFIG.toBuilder().maxImagePixels(16 * 16).build());
        assertEquals(Optional.of(RejectReason.IMAGE_TOO_LARGE),
                check(byPixels, rating("r", 3).image(TestEvents.imageInline(taller)).build()));
    }

    @Test
    void cheapChecksComeFirstSoABrokenRecordNeverPaysForItsImage() {
        FeedbackEvent twoProblems = rating("r", 3).prompt(" ")
                .image(TestEvents.imageInline(TestEvents.pngDeclaring(100_000, 100_000))).build();
        assertEquals(Optional.of(RejectReason.MISSING_PROMPT), check(twoProblems));
    }

    @Test
    void theVerdictCarriesTheEventIdOnlyWhenThereIsAUsableOne() {
        Verdict refused = validator.validate(null, rating("e-7", 3).encoded(), recordTime);
        Verdict.Rejected r = assertInstanceOf(Verdict.Rejected.class, refused);
        assertEquals(RejectReason.KEY_MISMATCH, r.rejection().reason());
        assertEquals("e-7", r.eventId());

        String hugeId = "i".repeat(CONFIG.maxTextChars() + 1);
        Verdict.Rejected huge = assertInstanceOf(Verdict.Rejected.class,
                validator.validate(null, rating(hugeId, 3).encoded(), recordTime));
        assertEquals(RejectReason.FIELD_TOO_LONG, huge.rejection().reason());
        assertNull(huge.eventId(), "an over-long id does not become a dead-letter key");

        assertNull(((Verdict.Rejected) validator.validate(null, new byte[] {1, 2}, recordTime)).eventId());
    }

    @Test
    void aValidRecordIsAcceptedWithItsDecodedEvent() {
        FeedbackEvent e = rating("ok", 4).build();
        Verdict v = validator.validate(e.getImage().getSha256().getBytes(), TestEvents.encode(e), recordTime);
        assertEquals(e, assertInstanceOf(Verdict.Accepted.class, v).event());
    }

    @Test
    void textThatIsNotUtf8IsACorruptRecordNamingTheField() {
        FeedbackEvent e = rating("r", 3).build();
        byte[] latin1 = "caf\u00e9 au lait".getBytes(StandardCharsets.ISO_8859_1);
        Verdict v = validator.validate(e.getImage().getSha256().getBytes(StandardCharsets.UTF_8),
                TestEvents.encodeWithRawText(e, "prompt", latin1), recordTime);
        Verdict.Rejected r = assertInstanceOf(Verdict.Rejected.class, v);
        assertEquals(RejectReason.CORRUPT_RECORD, r.rejection().reason());
        assertTrue(r.rejection().detail().contains("'prompt' is not valid UTF-8"), r.rejection().detail());

        byte[] lone = {(byte) 0xED, (byte) 0xA0, (byte) 0x80}; // a UTF-16 surrogate, which UTF-8 forbids
        Verdict attribute = validator.validate(e.getImage().getSha256().getBytes(StandardCharsets.UTF_8),
                TestEvents.encodeWithRawText(rating("r", 3).response("ok").build(), "response", lone), recordTime);
        assertEquals(RejectReason.CORRUPT_RECORD,
                assertInstanceOf(Verdict.Rejected.class, attribute).rejection().reason());
    }

    @Test
    void aGenuineReplacementCharacterIsValidText() {
        FeedbackEvent e = rating("r", 3).response("the sign \uFFFD is a character too").build();
        Verdict v = validator.validate(e.getImage().getSha256().getBytes(StandardCharsets.UTF_8), TestEvents.encode(e),
                recordTime);
        assertInstanceOf(Verdict.Accepted.class, v);
    }

    private static byte[] jpeg(int w, int h) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        img.setRGB(1, 1, 0xFF0000);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            assertTrue(ImageIO.write(img, "jpg", out));
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        return out.toByteArray();
    }
}
