package io.tpostream.streams;

/**
 * How a valid feedback record can end without a pair of its own, as the pairing rules intend. These are normal
 * results of a pairing window, not bad input: they go to the outcomes topic (small records, no raw bytes) and
 * not to the dead letters, so that the dead letters show real trouble. The name is the {@code outcome} code of
 * {@link io.tpostream.schema.FeedbackOutcome}; names are never renamed, only added.
 *
 * <p>With them the accounting is exact: every input record is a pair source, a dead letter, a rating still held,
 * or one outcome.
 */
public enum Outcome {
    /** a rating whose window closed before any other rating of its (image, prompt) paired with it */
    UNPAIRED_EXPIRED,
    /** a correction or comparison whose pair was already emitted within pairRetention */
    DUPLICATE_PAIR
}
