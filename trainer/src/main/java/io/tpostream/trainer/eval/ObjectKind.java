package io.tpostream.trainer.eval;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A (colour, shape) pair: the unit that CHAIR and POPE count. A mention of "red circle" is hallucinated exactly
 * when no red circle is in the scene, whatever else is.
 */
public record ObjectKind(Colour colour, Shape shape) {

    /** Every kind, colour-major: index = colour.ordinal() * 4 + shape.ordinal(). */
    public static final List<ObjectKind> ALL = enumerate();
    public static final int COUNT = ALL.size();

    public ObjectKind {
        Objects.requireNonNull(colour, "colour");
        Objects.requireNonNull(shape, "shape");
    }

    public static ObjectKind of(Colour colour, Shape shape) {
        return ALL.get(colour.ordinal() * Shape.values().length + shape.ordinal());
    }

    public static ObjectKind byIndex(int index) {
        return ALL.get(index);
    }

    public int index() {
        return colour.ordinal() * Shape.values().length + shape.ordinal();
    }

    /** "red circle". */
    public String phrase() {
        return colour.word() + " " + shape.word();
    }

    /**
     * Inverse of {@link #phrase()}.
     *
     * @throws IllegalArgumentException if the text is not exactly "colour shape"
     */
    public static ObjectKind parse(String phrase) {
        String[] words = phrase.trim().split("\\s+");
        if (words.length != 2) {
            throw new IllegalArgumentException("not an object phrase: '" + phrase + "'");
        }
        Colour colour = Colour.fromWord(words[0])
                .orElseThrow(() -> new IllegalArgumentException("unknown colour in '" + phrase + "'"));
        Shape shape = Shape.fromWord(words[1])
                .orElseThrow(() -> new IllegalArgumentException("unknown shape in '" + phrase + "'"));
        return of(colour, shape);
    }

    public ObjectKind withColour(Colour newColour) {
        return of(newColour, shape);
    }

    @Override
    public String toString() {
        return phrase();
    }

    private static List<ObjectKind> enumerate() {
        List<ObjectKind> all = new ArrayList<>();
        for (Colour c : Colour.values()) {
            for (Shape s : Shape.values()) {
                all.add(new ObjectKind(c, s));
            }
        }
        return List.copyOf(all);
    }
}
