package io.tpostream.trainer.eval;

import java.util.List;
import java.util.Objects;

/**
 * One line of captions.jsonl: an image and the kinds in it, in slot order.
 *
 * @param image path of the image relative to the jsonl file
 */
public record CaptionTruth(String image, List<ObjectKind> objects) {

    public CaptionTruth {
        Objects.requireNonNull(image, "image");
        objects = List.copyOf(objects);
    }

    /** The canonical caption of these objects, a reference for generated captions. */
    public String caption() {
        return SceneText.caption(objects);
    }
}
