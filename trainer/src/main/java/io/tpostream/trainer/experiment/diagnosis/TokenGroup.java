package io.tpostream.trainer.experiment.diagnosis;

import io.tpostream.trainer.eval.Colour;
import io.tpostream.trainer.eval.ObjectKind;
import io.tpostream.trainer.eval.Scene;
import io.tpostream.trainer.eval.Shape;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * What a response token is about, given the scene: a word of a true mention (colour or shape of an object that is
 * there), a word of a hallucinated mention, or anything else (articles, punctuation, openings, the end token). A
 * mention is a colour token directly followed by a shape token, as {@code CaptionParser} reads captions.
 */
public enum TokenGroup {
    TRUE_MENTION("true"),
    HALLUCINATED_MENTION("hallucinated"),
    OTHER("other");

    private final String label;

    TokenGroup(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }

    /** The group of every token, in order. */
    public static TokenGroup[] of(List<String> tokens, Scene scene) {
        TokenGroup[] groups = new TokenGroup[tokens.size()];
        for (int i = 0; i < tokens.size(); i++) {
            groups[i] = OTHER;
        }
        for (int i = 0; i + 1 < tokens.size(); i++) {
            Optional<Colour> colour = Colour.fromWord(word(tokens.get(i)));
            Optional<Shape> shape = Shape.fromWord(word(tokens.get(i + 1)));
            if (colour.isPresent() && shape.isPresent()) {
                TokenGroup g = scene.contains(ObjectKind.of(colour.get(), shape.get())) ? TRUE_MENTION
                        : HALLUCINATED_MENTION;
                groups[i] = g;
                groups[i + 1] = g;
                i++;
            }
        }
        return groups;
    }

    private static String word(String token) {
        return token.strip().toLowerCase(Locale.ROOT);
    }
}
