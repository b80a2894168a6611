package io.tpostream.ops.feedback;

import io.tpostream.schema.FeedbackEvent;

/** One non-blank line of a feedback JSON Lines file: an event, or the reason it is not one. */
public sealed interface FeedbackLine {

    /** 1-based, counting blank lines too, as editors do. */
    int lineNumber();

    record Parsed(int lineNumber, FeedbackEvent event) implements FeedbackLine {
    }

    record Rejected(int lineNumber, String reason) implements FeedbackLine {
    }
}
