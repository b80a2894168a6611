package io.tpostream.streams.validation;

import io.tpostream.streams.RejectReason;

import java.util.Objects;

/** Why one record is refused: a machine-readable code and a sentence for the person reading the dead letter. */
public record Rejection(RejectReason reason, String detail) {

    public Rejection {
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(detail, "detail");
    }
}
