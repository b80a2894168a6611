package io.tpostream.trainer.eval;

import java.util.Locale;

/**
 * How POPE picks the objects a "no" question asks about: uniformly among absent kinds, the most frequent absent
 * kinds of the training distribution, or the absent co-occurrence partners of present objects.
 */
public enum PopeSplit {
    RANDOM, POPULAR, ADVERSARIAL;

    public String jsonName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static PopeSplit parse(String name) {
        return valueOf(name.trim().toUpperCase(Locale.ROOT));
    }
}
