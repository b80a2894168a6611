package io.tpostream.trainer.eval;

import io.tpostream.trainer.image.RgbImage;

/**
 * An offline preference pair with its ground truth: {@code chosen} is the true caption, {@code rejected} the same
 * caption made wrong in the way {@code corruption} says.
 */
public record SyntheticPair(RgbImage image, String prompt, String chosen, String rejected, Scene scene,
                            Corruption corruption) {

    public enum Corruption {
        /** One object that is not in the scene added, preferably a present object's co-occurrence partner. */
        EXTRA_OBJECT,
        /** One object's colour changed to make a kind that is not in the scene. */
        WRONG_ATTRIBUTE
    }
}
