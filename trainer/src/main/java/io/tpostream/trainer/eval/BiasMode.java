package io.tpostream.trainer.eval;

import java.util.Locale;

/**
 * How scenes are drawn. {@code TRAIN}: kinds follow a skewed popularity prior and partners co-occur (the
 * pre-training distribution, which teaches the model to hallucinate). {@code NONE}: kinds are uniform and
 * independent (an unbiased test distribution).
 */
public enum BiasMode {
    TRAIN, NONE;

    /** "train" / "none", as written in benchmark manifests. */
    public String jsonName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static BiasMode parse(String name) {
        return valueOf(name.trim().toUpperCase(Locale.ROOT));
    }
}
