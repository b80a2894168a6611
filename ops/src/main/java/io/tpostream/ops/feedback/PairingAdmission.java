package io.tpostream.ops.feedback;

import io.tpostream.schema.FeedbackEvent;
import io.tpostream.streams.PairingConfig;
import io.tpostream.streams.validation.FeedbackValidator;
import io.tpostream.streams.validation.Rejection;

import java.util.Optional;

/**
 * The streams app's own validation, applied before a line is sent: {@code tpo produce} refuses exactly the events
 * the pairing app would dead-letter as bad input, with the same reason code and detail, instead of repeating (and
 * drifting from) the rules in the JSON parser. The parser only says what is not a feedback event at all.
 */
public final class PairingAdmission {

    private final FeedbackValidator validator;

    /** @param config the pairing app's configuration (rating scale, text and image limits, time skew) */
    public PairingAdmission(PairingConfig config) {
        this.validator = new FeedbackValidator(config);
    }

    /**
     * The line as it is, or rejected with the stream's reason if the app would dead-letter it.
     *
     * @param recordTimestamp what the record timestamp will be: the broker's append time, so about now
     */
    public FeedbackLine admit(FeedbackLine line, long recordTimestamp) {
        if (!(line instanceof FeedbackLine.Parsed parsed)) {
            return line;
        }
        return refusal(parsed.event(), recordTimestamp).<FeedbackLine>map(
                reason -> new FeedbackLine.Rejected(line.lineNumber(), reason)).orElse(line);
    }

    /** Why the pairing app would dead-letter the event (its reason code and detail), if it would. */
    public Optional<String> refusal(FeedbackEvent e, long recordTimestamp) {
        // produce keys every event by its image sha-256, as the stream requires
        Optional<Rejection> refusal = validator.check(e.getImage().getSha256(), e, recordTimestamp);
        return refusal.map(r -> "the pairing app would dead-letter it as " + r.reason() + ": " + r.detail());
    }
}
