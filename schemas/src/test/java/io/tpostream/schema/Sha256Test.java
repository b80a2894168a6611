package io.tpostream.schema;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class Sha256Test {

    @Test
    void knownDigest() {
        assertEquals("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
                Sha256.hex("abc".getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void pairIdIsDeterministicAndSeparatesFields() {
        String img = Sha256.hex(new byte[] {1});
        assertEquals(Sha256.pairId(img, "p", "a b", "c"), Sha256.pairId(img, "p", "a b", "c"));
        assertNotEquals(Sha256.pairId(img, "p", "ab", "c"), Sha256.pairId(img, "p", "a", "bc"));
        assertNotEquals(Sha256.pairId(img, "p", "a", "c"), Sha256.pairId(img, "p", "c", "a"));
    }

    @Test
    void wellFormedMeansSixtyFourLowerHex() {
        assertTrue(Sha256.isWellFormed("ab".repeat(32)));
        assertFalse(Sha256.isWellFormed("AB".repeat(32)));
        assertFalse(Sha256.isWellFormed("ab".repeat(31)));
        assertFalse(Sha256.isWellFormed(null));
        assertFalse(Sha256.isWellFormed("ab".repeat(32) + "a"));
        assertFalse(Sha256.isWellFormed("ab".repeat(31) + "ag"));
        assertFalse(Sha256.isWellFormed("ab".repeat(31) + "a\u0660"), "only ASCII digits");
        assertFalse(Sha256.isWellFormed(""));
        assertTrue(Sha256.isWellFormed("0123456789abcdef".repeat(4)));
    }
}
