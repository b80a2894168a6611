package io.tpostream.trainer.online;

import java.util.Map;

/**
 * How many versions behind the policy being trained a pair's responses may have been written before the pair is
 * skipped as stale ({@code tpo train --max-staleness}). Pure.
 *
 * <p>A pair is stale when its policy version (the oldest version that wrote one of its responses) is more than the
 * bound behind the version training continues from, the parent of the version being made. Such a pair shows the
 * mistakes of a policy that is gone: it is skipped and counted, not down-weighted, so the loss stays the reference
 * objective and the decision needs nothing but two recorded numbers. A pair whose version is unknown (written before
 * pairs carried one) is not stale: nothing says it is, and dropping all old pairs would be a silent change.
 *
 * <p>The bound is recorded with every version under {@link #KEY}, so a replay makes the same decisions; a version
 * recorded without it was trained before the bound existed, when no pair was ever stale.
 */
public final class StalenessBound {

    /** The hyper-parameter a version records the bound under. */
    public static final String KEY = "max_staleness";

    private static final String OFF_TEXT = "off";
    private static final StalenessBound OFF = new StalenessBound(-1);

    /** Versions a pair may lag behind; -1 for no bound. */
    private final long maxVersionsBehind;

    private StalenessBound(long maxVersionsBehind) {
        this.maxVersionsBehind = maxVersionsBehind;
    }

    /** No bound: every pair is trained, however old its policy. */
    public static StalenessBound off() {
        return OFF;
    }

    /** Pairs more than {@code maxVersionsBehind} versions behind are stale; 0 trains only the parent's own pairs. */
    public static StalenessBound of(long maxVersionsBehind) {
        if (maxVersionsBehind < 0) {
            throw new IllegalArgumentException("a staleness bound is a number of versions, 0 or more (or off), not "
                    + maxVersionsBehind);
        }
        return new StalenessBound(maxVersionsBehind);
    }

    /** Reads {@link #describe()}'s text: {@code off} or a number of versions. */
    public static StalenessBound parse(String text) {
        if (OFF_TEXT.equals(text)) {
            return OFF;
        }
        try {
            return of(Long.parseLong(text));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("a staleness bound is a number of versions or off, not '" + text + "'");
        }
    }

    /** The bound a version was trained with, from its hyper-parameters (off if it predates the bound). */
    public static StalenessBound recordedIn(Map<String, String> hyperParameters) {
        String recorded = hyperParameters.get(KEY);
        return recorded == null ? OFF : parse(recorded);
    }

    /**
     * Whether a pair written by {@code policyVersion} is too old to train the version that continues from
     * {@code trainedFrom}.
     *
     * @param policyVersion the pair's policy version, null if unknown
     */
    public boolean isStale(Long policyVersion, long trainedFrom) {
        // policyVersion < trainedFrom - max rather than trainedFrom - policyVersion > max: no overflow, whatever a
        // producer wrote into the pair
        return maxVersionsBehind >= 0 && policyVersion != null && policyVersion < trainedFrom - maxVersionsBehind;
    }

    /** {@code off} or the number of versions, as a version records it. */
    public String describe() {
        return maxVersionsBehind < 0 ? OFF_TEXT : Long.toString(maxVersionsBehind);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof StalenessBound other && other.maxVersionsBehind == maxVersionsBehind;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(maxVersionsBehind);
    }

    @Override
    public String toString() {
        return "max staleness " + describe();
    }
}
