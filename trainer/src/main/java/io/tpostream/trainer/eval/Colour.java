package io.tpostream.trainer.eval;

import java.util.Locale;
import java.util.Optional;

/** The attribute of an object; saturated and far apart in RGB so that a tiny vision encoder can tell them apart. */
public enum Colour {
    RED(0xE62828),
    GREEN(0x28BE3C),
    BLUE(0x285AF0),
    YELLOW(0xF5DC1E),
    PURPLE(0xA03CD2),
    ORANGE(0xFA8C14);

    private final int rgb;

    Colour(int rgb) {
        this.rgb = rgb;
    }

    /** 0xRRGGBB. */
    public int rgb() {
        return rgb;
    }

    /** The word used in captions and questions. */
    public String word() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<Colour> fromWord(String word) {
        for (Colour c : values()) {
            if (c.word().equals(word)) {
                return Optional.of(c);
            }
        }
        return Optional.empty();
    }
}
