package io.tpostream.streams.pairing;

import io.tpostream.schema.DeadLetter;
import io.tpostream.streams.validation.Rejection;

import java.nio.ByteBuffer;
import java.time.Instant;

/** Builds the dead-letter records; all processors write them the same way. */
final class DeadLetters {

    private DeadLetters() {
    }

    static DeadLetter of(RecordOrigin origin, String eventId, Rejection rejection, byte[] rawKey, byte[] rawValue,
                         long at) {
        return DeadLetter.newBuilder()
                .setSourceTopic(origin.topic())
                .setSourcePartition(origin.partition())
                .setSourceOffset(origin.offset())
                .setEventId(eventId)
                .setReason(rejection.reason().name())
                .setDetail(rejection.detail())
                .setRawKey(rawKey == null ? null : ByteBuffer.wrap(rawKey))
                .setRawValue(rawValue == null ? null : ByteBuffer.wrap(rawValue))
                .setDeadLetteredAt(Instant.ofEpochMilli(at))
                .build();
    }
}
