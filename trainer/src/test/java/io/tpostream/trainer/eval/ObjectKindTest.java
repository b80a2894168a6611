package io.tpostream.trainer.eval;

import org.junit.jupiter.api.Test;

import java.util.HashSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ObjectKindTest {

    @Test
    void twentyFourDistinctKindsWhoseIndexIsTheirPosition() {
        assertEquals(24, ObjectKind.COUNT);
        assertEquals(24, new HashSet<>(ObjectKind.ALL).size());
        for (int i = 0; i < ObjectKind.COUNT; i++) {
            assertEquals(i, ObjectKind.byIndex(i).index());
        }
    }

    @Test
    void phraseAndParseAreInverse() {
        for (ObjectKind k : ObjectKind.ALL) {
            assertEquals(k, ObjectKind.parse(k.phrase()));
        }
        assertEquals("orange cross", ObjectKind.of(Colour.ORANGE, Shape.CROSS).phrase());
        assertEquals(ObjectKind.of(Colour.RED, Shape.CIRCLE), ObjectKind.parse("  red   circle "));
    }

    @Test
    void parseRejectsAnythingButColourShape() {
        assertThrows(IllegalArgumentException.class, () -> ObjectKind.parse("red"));
        assertThrows(IllegalArgumentException.class, () -> ObjectKind.parse("circle red"));
        assertThrows(IllegalArgumentException.class, () -> ObjectKind.parse("a red circle"));
        assertThrows(IllegalArgumentException.class, () -> ObjectKind.parse("pink circle"));
    }
}
