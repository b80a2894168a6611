package io.tpostream.ops.cli;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProduceTallyTest {

    @Test
    void allSent() {
        ProduceTally t = new ProduceTally();
        t.sent();
        t.sent();
        assertEquals("sent 2, skipped 0", t.summary());
        assertTrue(t.allSent());
    }

    @Test
    void skippedAndFailedLinesInOrder() {
        ProduceTally t = new ProduceTally();
        t.sent();
        t.skipped(7);
        t.skipped(3);
        t.failed(9);
        assertEquals("sent 1, skipped 2 (lines 3, 7), failed 1 (line 9)", t.summary());
        assertFalse(t.allSent());
    }

    @Test
    void linesSentAlthoughInvalidAreNamed() {
        ProduceTally t = new ProduceTally();
        t.sentInvalid(4);
        t.sent();
        t.sent();
        assertEquals("sent 2 (1 invalid, line 4), skipped 0", t.summary());
        assertTrue(t.allSent());
    }

    @Test
    void longListsAreCut() {
        ProduceTally t = new ProduceTally();
        for (int line = 1; line <= 25; line++) {
            t.skipped(line);
        }
        assertEquals("sent 0, skipped 25 (lines 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20"
                + " and 5 more)", t.summary());
    }
}
