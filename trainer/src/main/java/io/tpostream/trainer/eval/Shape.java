package io.tpostream.trainer.eval;

import java.util.Locale;
import java.util.Optional;

/** The object class of an object (what CHAIR and POPE call the "object"). */
public enum Shape {
    CIRCLE, SQUARE, TRIANGLE, CROSS;

    /** The word used in captions and questions. */
    public String word() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<Shape> fromWord(String word) {
        for (Shape s : values()) {
            if (s.word().equals(word)) {
                return Optional.of(s);
            }
        }
        return Optional.empty();
    }
}
