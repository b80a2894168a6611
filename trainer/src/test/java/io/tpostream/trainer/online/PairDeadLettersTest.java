package io.tpostream.trainer.online;

import io.tpostream.schema.DeadLetter;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PairDeadLettersTest {

    private static final Instant AT = Instant.parse("2026-03-01T12:00:00Z");
    private static final TopicPartition PAIRS_2 = new TopicPartition("tpo.pairs", 2);

    @Test
    void aDeadLetterSaysWhereThePairWasWhyAndHoldsItsBytes() {
        byte[] raw = {1, 2, 3};
        DeadLetter d = PairDeadLetters.of("p-1", "IMAGE_HTTP_STATUS: GET http://x/a.png answered 404 Not Found",
                new PairRecord(PAIRS_2, 17, raw), "scene", 4, AT);
        assertEquals("tpo.pairs", d.getSourceTopic());
        assertEquals(2, d.getSourcePartition());
        assertEquals(17, d.getSourceOffset());
        assertEquals("IMAGE_HTTP_STATUS", d.getReason());
        assertEquals("pair p-1, quarantined by the trainer of model scene in v4: GET http://x/a.png answered 404 "
                + "Not Found", d.getDetail());
        assertEquals(ByteBuffer.wrap(raw), d.getRawValue());
        assertNull(d.getEventId());
        assertEquals(AT, d.getDeadLetteredAt());
    }

    @Test
    void rawBytesTooLargeForTheDeadLetterTopicAreLeftOutAndTheDetailSaysWhereTheyAre() {
        byte[] raw = new byte[PairDeadLetters.MAX_RAW_BYTES + 1];
        DeadLetter d = PairDeadLetters.of("tpo.pairs-2@17", "UNDECODABLE: not Avro", new PairRecord(PAIRS_2, 17, raw),
                "scene", 4, AT);
        assertNull(d.getRawValue());
        assertEquals("UNDECODABLE", d.getReason());
        assertTrue(d.getDetail().endsWith("not Avro (its " + raw.length + " raw bytes are left out: read them at this "
                + "offset)"), d.getDetail());
    }
}
