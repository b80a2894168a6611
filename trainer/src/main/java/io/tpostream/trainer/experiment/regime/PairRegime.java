package io.tpostream.trainer.experiment.regime;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * How the caption pairs of a study differ, from the easiest case for sequence-level DPO to production feedback.
 * Every regime gives the same number of pairs from the same scene world and the same base; only the caption pairs
 * change (the yes/no answer pairs are the same in every regime).
 */
public enum PairRegime {
    /** Today's pairs: the true caption against itself with one object swapped in, and the base's captions
     *  against their corrections. Chosen and rejected differ in one or two words. */
    MINIMAL("minimal", false),
    /** The chosen caption is correct and phrased differently (another opening, another object order) from the
     *  rejected one, so the two share few token positions. */
    REPHRASED("rephrased", false),
    /** Minimal pairs where one side also carries a non-visual opening phrase, the chosen side in half of the
     *  pairs and the rejected side in the other half: a cue unrelated to the image that a sequence-level
     *  objective can latch onto. */
    STYLE("style", false),
    /** k captions sampled from the policy being trained, ranked by ground truth (fewer hallucinated objects
     *  first, then more covered objects), best against worst, ties dropped. Re-sampled every epoch. */
    ON_POLICY("on-policy", true),
    /** On-policy pairs with a share of the preferences flipped, as a careless rater would. */
    NOISY("noisy", true);

    private final String configName;
    private final boolean sampledFromPolicy;

    PairRegime(String configName, boolean sampledFromPolicy) {
        this.configName = configName;
        this.sampledFromPolicy = sampledFromPolicy;
    }

    public String configName() {
        return configName;
    }

    /** Whether the pairs come from the policy being trained (and so are drawn afresh every epoch). */
    public boolean sampledFromPolicy() {
        return sampledFromPolicy;
    }

    public static PairRegime fromName(String name) {
        String wanted = name == null ? null : name.trim().toLowerCase(Locale.ROOT);
        for (PairRegime regime : values()) {
            if (regime.configName.equals(wanted)) {
                return regime;
            }
        }
        throw new IllegalArgumentException("unknown regime '" + name + "'; valid regimes: "
                + Arrays.stream(values()).map(PairRegime::configName).collect(Collectors.joining(", ")));
    }
}
