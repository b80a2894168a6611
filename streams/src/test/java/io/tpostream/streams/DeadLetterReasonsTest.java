package io.tpostream.streams;

import io.tpostream.schema.DeadLetter;
import io.tpostream.schema.FeedbackEvent;
import io.tpostream.schema.FeedbackOutcome;
import io.tpostream.schema.FeedbackKind;
import io.tpostream.schema.ImageRef;
import io.tpostream.schema.Sha256;
import io.tpostream.streams.pairing.PairingStores;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static io.tpostream.streams.TestEvents.T0;
import static io.tpostream.streams.TestEvents.comparison;
import static io.tpostream.streams.TestEvents.correction;
import static io.tpostream.streams.TestEvents.rating;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** One test per reject reason, through the whole topology: the record becomes exactly one dead letter. */
class DeadLetterReasonsTest {

    private PairingDriver driver = new PairingDriver();

    @AfterEach
    void close() {
        driver.close();
    }

    private void restartWith(PairingConfig config) {
        driver.close();
        driver = new PairingDriver(config);
    }

    /**
     * Sends the record and checks that it came back as exactly one dead letter of the reason, pointing at the
     * record and carrying its bytes, and that nothing else came out.
     */
    private DeadLetter refused(RejectReason reason, String key, byte[] value, String expectedEventId) {
        Instant at = T0.plusSeconds(5);
        Map<String, PairingDriver.Held> heldBefore = driver.held();
        long offset = driver.send(key, value, at);
        List<KeyValue<String, DeadLetter>> letters = driver.deadLetterRecords();
        assertEquals(1, letters.size(), () -> "dead letters: " + letters);
        assertEquals(List.of(), driver.pairs());
        assertEquals(heldBefore, driver.held(), "nothing held");
        DeadLetter letter = letters.get(0).value;
        assertEquals(reason.name(), letter.getReason(), letter.getDetail());
        assertEquals(expectedEventId, letters.get(0).key, "dead letters are keyed by event id when there is one");
        assertEquals(expectedEventId, letter.getEventId());
        assertEquals(PairingDriver.TOPICS.feedback(), letter.getSourceTopic());
        assertEquals(0, letter.getSourcePartition());
        assertEquals(offset, letter.getSourceOffset());
        assertEquals(at, letter.getDeadLetteredAt(), "stamped with the record time, not the wall clock");
        assertArrayEquals(value, bytes(letter.getRawValue()), "the original bytes, unchanged");
        assertArrayEquals(key == null ? null : key.getBytes(StandardCharsets.UTF_8), bytes(letter.getRawKey()));
        assertTrue(!letter.getDetail().isBlank());
        return letter;
    }

    private DeadLetter refused(RejectReason reason, FeedbackEvent e) {
        return refused(reason, e.getImage().getSha256(), TestEvents.encode(e), e.getEventId());
    }

    private DeadLetter refused(RejectReason reason, TestEvents.Builder e) {
        return refused(reason, e.build());
    }

    static byte[] bytes(ByteBuffer b) {
        if (b == null) {
            return null;
        }
        byte[] out = new byte[b.remaining()];
        b.duplicate().get(out);
        return out;
    }

    private static final String SHA = TestEvents.imageByUri("cat").getSha256();

    @Test
    void garbageIsUndecodable() {
        refused(RejectReason.UNDECODABLE, SHA, "not avro at all".getBytes(StandardCharsets.UTF_8), null);
    }

    @Test
    void aWriterSchemaNoReleaseKnowsIsUnknownSchema() {
        DeadLetter letter = refused(RejectReason.UNKNOWN_SCHEMA, SHA, TestEvents.encodeWithUnknownSchema(), null);
        assertTrue(letter.getDetail().contains("fingerprint"), letter.getDetail());
    }

    @Test
    void truncatedAvroIsCorruptRecord() {
        byte[] good = rating("e1", 4).encoded();
        refused(RejectReason.CORRUPT_RECORD, SHA, Arrays.copyOf(good, good.length - 7), null);
    }

    @Test
    void aTombstoneIsNullValue() {
        refused(RejectReason.NULL_VALUE, SHA, null, null);
    }

    @Test
    void blankEventIdIsMissingEventId() {
        refused(RejectReason.MISSING_EVENT_ID, SHA, rating(" ", 4).encoded(), null);
    }

    @Test
    void blankPromptIsMissingPrompt() {
        refused(RejectReason.MISSING_PROMPT, rating("e1", 4).prompt(""));
    }

    @Test
    void blankResponseIsMissingResponse() {
        refused(RejectReason.MISSING_RESPONSE, rating("e1", 4).response(" \n"));
    }

    @Test
    void overLongTextIsFieldTooLong() {
        int max = PairingConfig.defaults().maxTextChars();
        DeadLetter letter = refused(RejectReason.FIELD_TOO_LONG, rating("e1", 4).response("x".repeat(max + 1)));
        assertTrue(letter.getDetail().contains("response"), letter.getDetail());
    }

    @Test
    void imageWithNeitherUriNorBytesIsNoImageSource() {
        refused(RejectReason.NO_IMAGE_SOURCE, rating("e1", 4).image(ImageRef.newBuilder().setSha256(SHA).build()));
    }

    @Test
    void upperCaseShaIsBadSha256() {
        ImageRef upper = ImageRef.newBuilder().setSha256(SHA.toUpperCase()).setUri("file:///x.png").build();
        refused(RejectReason.BAD_SHA256, rating("e1", 4).image(upper));
    }

    @Test
    void recordNotKeyedByImageShaIsKeyMismatch() {
        FeedbackEvent e = rating("e1", 4).build();
        DeadLetter letter = refused(RejectReason.KEY_MISMATCH, "user-17", TestEvents.encode(e), "e1");
        assertTrue(letter.getDetail().contains("repartition"), "the detail explains why the key matters: "
                + letter.getDetail());
    }

    @Test
    void bytesThatHashToAnotherShaAreImageShaMismatch() {
        byte[] png = TestEvents.png(4, 4, 1);
        String otherSha = Sha256.hex(TestEvents.png(4, 4, 2));
        ImageRef lying = ImageRef.newBuilder().setSha256(otherSha).setBytes(ByteBuffer.wrap(png)).build();
        refused(RejectReason.IMAGE_SHA_MISMATCH, rating("e1", 4).image(lying));
    }

    @Test
    void tooManyBytesIsImageTooLarge() {
        byte[] png = TestEvents.png(16, 16, 1);
        restartWith(PairingDriver.config().maxImageBytes(png.length - 1).build());
        refused(RejectReason.IMAGE_TOO_LARGE, rating("e1", 4).image(TestEvents.imageInline(png)));
    }

    @Test
    void anImageBombIsRefusedFromItsHeaderAsImageTooLarge() {
        byte[] bomb = TestEvents.pngDeclaring(100_000, 100_000);
        assertTrue(bomb.length < 200, "a tiny file");
        DeadLetter letter = refused(RejectReason.IMAGE_TOO_LARGE, rating("e1", 4).image(TestEvents.imageInline(bomb)));
        assertTrue(letter.getDetail().contains("100000x100000"), letter.getDetail());
    }

    @Test
    void bytesNoReaderCanDecodeAreImageUndecodable() {
        byte[] noise = "definitely not an image".getBytes(StandardCharsets.UTF_8);
        refused(RejectReason.IMAGE_UNDECODABLE, rating("e1", 4).image(TestEvents.imageInline(noise)));
    }

    @Test
    void aTruncatedPngIsImageUndecodable() {
        byte[] png = TestEvents.png(32, 32, 3);
        byte[] cut = Arrays.copyOf(png, png.length / 2);
        refused(RejectReason.IMAGE_UNDECODABLE, rating("e1", 4).image(TestEvents.imageInline(cut)));
    }

    @Test
    void kindUnknownIsUnknownKind() {
        refused(RejectReason.UNKNOWN_KIND, rating("e1", 4).kind(FeedbackKind.UNKNOWN));
    }

    @Test
    void ratingWithoutScoreIsMissingRating() {
        refused(RejectReason.MISSING_RATING, rating("e1", 4).rating(null));
    }

    @Test
    void scoresOutsideTheRangeOrNotFiniteAreRatingOutOfRange() {
        for (double bad : new double[] {0.999, 5.001, Double.NaN, Double.POSITIVE_INFINITY,
                Double.NEGATIVE_INFINITY}) {
            refused(RejectReason.RATING_OUT_OF_RANGE, rating("e-" + bad, bad));
        }
    }

    @Test
    void correctionWithoutCorrectedTextIsMissingCorrection() {
        refused(RejectReason.MISSING_CORRECTION, correction("e1", "a dog", null));
    }

    @Test
    void correctionEqualToTheResponseIsCorrectionIdentical() {
        refused(RejectReason.CORRECTION_IDENTICAL, correction("e1", "a dog", "  a dog\n"));
    }

    @Test
    void comparisonWithoutItsSecondHalfIsMissingComparison() {
        refused(RejectReason.MISSING_COMPARISON, comparison("e1", "a dog", null, true));
        refused(RejectReason.MISSING_COMPARISON, comparison("e2", "a dog", "a cat", true).otherPreferred(null));
    }

    @Test
    void comparisonOfTheSameTextIsComparisonIdentical() {
        refused(RejectReason.COMPARISON_IDENTICAL, comparison("e1", "a dog", "a dog ", false));
    }

    @Test
    void occurredAtTooFarFromTheRecordTimeIsTimestampOutOfRange() {
        Instant recordTime = T0.plusSeconds(5); // what refused() sends with
        PairingConfig c = PairingConfig.defaults();
        refused(RejectReason.TIMESTAMP_OUT_OF_RANGE,
                rating("future", 4).occurredAt(recordTime.plus(c.maxFutureSkew()).plusMillis(1)));
        refused(RejectReason.TIMESTAMP_OUT_OF_RANGE,
                rating("stale", 4).occurredAt(recordTime.minus(c.maxAge()).minusMillis(1)));
    }

    @Test
    void theSameEventIdAgainIsDuplicateEvent() {
        FeedbackEvent e = correction("e1", "a dog", "a cat").build();
        long first = driver.send(e, T0);
        assertEquals(1, driver.pairs().size());
        DeadLetter letter = refused(RejectReason.DUPLICATE_EVENT, e);
        assertTrue(letter.getDetail().contains("@" + first), "names where the original was: " + letter.getDetail());
    }

    @Test
    void aCorrectionWhosePairWasAlreadyEmittedIsADuplicatePairOutcomeNotADeadLetter() {
        driver.send(correction("e1", "a dog", "a cat"), T0);
        assertEquals(1, driver.pairs().size());
        long offset = driver.send(correction("e2", "a dog", "a cat"), T0.plusSeconds(1));
        assertEquals(List.of(), driver.pairs());
        assertEquals(List.of(), driver.deadLetters(), "a repeated pair is no bad input");
        List<FeedbackOutcome> outcomes = driver.outcomes();
        assertEquals(1, outcomes.size());
        assertEquals("DUPLICATE_PAIR", outcomes.get(0).getOutcome());
        assertEquals("e2", outcomes.get(0).getEventId());
        assertEquals(PairingDriver.TOPICS.feedback(), outcomes.get(0).getSourceTopic());
        assertEquals(offset, outcomes.get(0).getSourceOffset());
    }

    @Test
    void aCorrectionBeyondTheKeysCapIsPairCapReached() {
        restartWith(PairingDriver.config().maxPairsPerKey(2).build());
        driver.send(correction("e1", "a dog", "a cat"), T0);
        driver.send(correction("e2", "a cow", "a cat"), T0);
        assertEquals(2, driver.pairs().size());
        refused(RejectReason.PAIR_CAP_REACHED, correction("e3", "a bird", "a cat"));
    }

    @Test
    void aRatingNothingPairedWithIsAnUnpairedExpiredOutcomeWhenItsWindowCloses() {
        PairingConfig c = PairingConfig.defaults();
        FeedbackEvent lonely = rating("lonely", 4).build();
        long offset = driver.send(lonely, T0);
        assertEquals(List.of("lonely"), List.copyOf(driver.held().keySet()));
        assertEquals(List.of(), driver.deadLetters(), "held, not refused, while its window is open");

        // stream time moves past its window + grace through a record of another image
        Instant later = T0.plus(c.ratingWindow()).plus(c.grace()).plusSeconds(1);
        driver.send(correction("other", "a dog", "a cat").image(TestEvents.imageByUri("dog")), later);

        assertEquals(List.of(), driver.deadLetters(), "a rating nobody paired with is no bad input");
        List<FeedbackOutcome> outcomes = driver.outcomes();
        assertEquals(1, outcomes.size());
        FeedbackOutcome o = outcomes.get(0);
        assertEquals("UNPAIRED_EXPIRED", o.getOutcome());
        assertEquals("lonely", o.getEventId());
        assertEquals(PairingDriver.TOPICS.feedback(), o.getSourceTopic());
        assertEquals(0, o.getSourcePartition());
        assertEquals(offset, o.getSourceOffset(), "points at the record instead of copying it");
        assertEquals(Map.of(), driver.held());
    }

    @Test
    void aRecordThatBreaksPairingUnexpectedlyIsInternalErrorAndTheStreamGoesOn() {
        // corrupt the state by hand: a held rating of NaN, which validation never lets through
        driver.driver().<Bytes, Object>getKeyValueStore(PairingStores.KEYS).put(
                PairingStores.pairingKey(SHA, TestEvents.PROMPT),
                PairingStores.stateHolding("ghost", T0.toEpochMilli(), Double.NaN, "a dog"));

        DeadLetter letter = refused(RejectReason.INTERNAL_ERROR, SHA, rating("e1", 5).encoded(), "e1");
        assertTrue(letter.getDetail().contains("NumberFormatException"), letter.getDetail());

        driver.send(correction("e2", "a dog", "a cat"), T0.plusSeconds(6));
        assertEquals(1, driver.pairs().size(), "the next record is processed normally");
    }
}
