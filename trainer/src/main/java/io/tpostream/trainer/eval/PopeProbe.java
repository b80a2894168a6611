package io.tpostream.trainer.eval;

import java.util.List;
import java.util.Objects;

/**
 * One line of pope.jsonl: a yes/no question about an image, its true answer and the split it belongs to.
 *
 * @param image    path of the image relative to the jsonl file, e.g. "images/00001.png"
 * @param question e.g. "is there a red circle ?"
 * @param label    "yes" or "no"
 */
public record PopeProbe(String image, String question, String label, PopeSplit split) {

    public PopeProbe {
        Objects.requireNonNull(image, "image");
        Objects.requireNonNull(question, "question");
        Objects.requireNonNull(split, "split");
        if (!SceneText.YES.equals(label) && !SceneText.NO.equals(label)) {
            throw new IllegalArgumentException("label must be yes or no: " + label);
        }
    }

    public static PopeProbe of(String image, ObjectKind kind, boolean present, PopeSplit split) {
        return new PopeProbe(image, SceneText.question(kind), present ? SceneText.YES : SceneText.NO, split);
    }

    public boolean labelYes() {
        return SceneText.YES.equals(label);
    }

    /** The kind the question asks about. */
    public ObjectKind object() {
        List<ObjectKind> mentioned = CaptionParser.objects(question);
        if (mentioned.size() != 1) {
            throw new IllegalStateException("question does not name exactly one object: " + question);
        }
        return mentioned.get(0);
    }
}
