package io.tpostream.streams.validation;

import io.tpostream.schema.FeedbackEvent;

/** The result of validating one feedback record: a usable event, or the reason it is refused. */
public sealed interface Verdict {

    /** A decoded event that passed every check. */
    record Accepted(FeedbackEvent event) implements Verdict {
    }

    /**
     * A refused record.
     *
     * @param eventId the event id when the record was readable enough to have one (keys the dead letter), else null
     */
    record Rejected(Rejection rejection, String eventId) implements Verdict {
    }
}
