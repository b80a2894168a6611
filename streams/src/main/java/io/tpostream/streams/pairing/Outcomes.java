package io.tpostream.streams.pairing;

import io.tpostream.schema.FeedbackOutcome;
import io.tpostream.streams.Outcome;

import java.time.Instant;

/** Builds the outcome records: a valid record that ended without a pair of its own, as the rules intend. */
final class Outcomes {

    private Outcomes() {
    }

    static FeedbackOutcome of(String eventId, Outcome outcome, String topic, int partition, long offset, long at) {
        return FeedbackOutcome.newBuilder()
                .setEventId(eventId)
                .setOutcome(outcome.name())
                .setSourceTopic(topic)
                .setSourcePartition(partition)
                .setSourceOffset(offset)
                .setAt(Instant.ofEpochMilli(at))
                .build();
    }
}
