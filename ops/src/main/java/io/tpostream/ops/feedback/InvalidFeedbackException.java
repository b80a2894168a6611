package io.tpostream.ops.feedback;

/** A feedback document that cannot become a {@code FeedbackEvent}; the message says what to fix. */
public final class InvalidFeedbackException extends RuntimeException {
    public InvalidFeedbackException(String message) {
        super(message);
    }
}
