package io.tpostream.trainer.eval;

import java.util.List;

/**
 * Ways to open a caption that say nothing about the image: the non-visual part of how people phrase the same
 * content. Only words the world's vocabulary already has, so a base model can read and write every form (the base
 * was pre-trained on {@link #NONE} alone, so the others are also a change of style it has not seen).
 */
public enum CaptionOpening {
    /** "a red circle and a blue square ." — the canonical form. */
    NONE(""),
    /** "there is a red circle and a blue square ." */
    THERE_IS("there is"),
    /** "the image is a red circle and a blue square ." */
    THE_IMAGE_IS("the image is");

    private final String words;

    CaptionOpening(String words) {
        this.words = words;
    }

    /** The opening's words, empty for {@link #NONE}. */
    public String words() {
        return words;
    }

    /** How many tokens the opening adds (the tokenizer splits on spaces). */
    public int tokenCount() {
        return words.isEmpty() ? 0 : words.split(" ").length;
    }

    /** A caption of exactly these mentions, in this order, opened this way. */
    public String write(List<ObjectKind> mentions) {
        String body = SceneText.caption(mentions);
        return words.isEmpty() ? body : words + " " + body;
    }
}
