package io.tpostream.trainer.online;

import io.tpostream.schema.DeadLetter;

import java.nio.ByteBuffer;
import java.time.Instant;

/**
 * The dead letter of a pair the trainer quarantined: where it was read (the pairs topic, partition, offset), the
 * reason code and detail, and its raw bytes, on the same dead-letter topic as the pairing app's, so that an operator
 * finds every record that did not become training data in one place, record by record.
 */
final class PairDeadLetters {

    /**
     * Raw values larger than this are left out of the dead letter: the dead-letter topic takes records of up to
     * 2 MiB, as the pairs topic does, and a dead letter it refused would fail the version's transaction every time.
     * The pair stays on the pairs topic (kept forever) at the offset the dead letter names.
     */
    static final int MAX_RAW_BYTES = 1 << 20;

    private PairDeadLetters() {
    }

    /**
     * @param id     the pair id, or {@code partition@offset} for a record that is not a pair
     * @param reason as the trainer writes every quarantine reason: {@code CODE: detail}
     */
    static DeadLetter of(String id, String reason, PairRecord record, String model, long version, Instant at) {
        int colon = reason.indexOf(": ");
        String code = colon < 0 ? reason : reason.substring(0, colon);
        StringBuilder detail = new StringBuilder("pair ").append(id).append(", quarantined by the trainer of model ")
                .append(model).append(" in v").append(version).append(": ")
                .append(colon < 0 ? reason : reason.substring(colon + 2));
        byte[] raw = record.value();
        if (raw != null && raw.length > MAX_RAW_BYTES) {
            detail.append(" (its ").append(raw.length).append(" raw bytes are left out: read them at this offset)");
            raw = null;
        }
        return DeadLetter.newBuilder()
                .setSourceTopic(record.partition().topic())
                .setSourcePartition(record.partition().partition())
                .setSourceOffset(record.offset())
                .setReason(code)
                .setDetail(detail.toString())
                .setRawValue(raw == null ? null : ByteBuffer.wrap(raw))
                .setDeadLetteredAt(at)
                .build();
    }
}
