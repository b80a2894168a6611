package io.tpostream.trainer.eval;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the object mentions out of a caption, including malformed model output: a mention is a colour word
 * immediately followed by a shape word, anywhere; every other word ("a", "and", unknown words, a colour without
 * a shape, a shape without a colour) is skipped, and punctuation is optional. Duplicates are kept, in order,
 * because CHAIR counts every mention.
 */
public final class CaptionParser {

    private static final Pattern WORD = Pattern.compile("[a-z]+");

    private CaptionParser() {
    }

    public static List<ObjectKind> objects(String caption) {
        List<String> words = words(caption);
        List<ObjectKind> mentions = new ArrayList<>();
        for (int i = 0; i + 1 < words.size(); i++) {
            Optional<Colour> colour = Colour.fromWord(words.get(i));
            Optional<Shape> shape = Shape.fromWord(words.get(i + 1));
            if (colour.isPresent() && shape.isPresent()) {
                mentions.add(ObjectKind.of(colour.get(), shape.get()));
                i++;
            }
        }
        return mentions;
    }

    /** Lower-cased runs of letters. */
    private static List<String> words(String text) {
        List<String> words = new ArrayList<>();
        Matcher m = WORD.matcher(text.toLowerCase(Locale.ROOT));
        while (m.find()) {
            words.add(m.group());
        }
        return words;
    }
}
