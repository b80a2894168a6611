package io.tpostream.schema;

import org.apache.kafka.common.errors.SerializationException;

/** Bytes that are not a record this build can read, and why; the streams app dead-letters them. */
public final class UndecodableRecordException extends SerializationException {

    /** Why the bytes could not be read. The names double as dead-letter reason codes. */
    public enum Cause {
        /** no single-object header: not Avro at all, or truncated before the header ended */
        BAD_HEADER,
        /** a valid header whose writer schema fingerprint is in no release this reader knows */
        UNKNOWN_SCHEMA,
        /** the header was fine, the body was not (truncated, corrupt, invalid UTF-8, impossible lengths) */
        CORRUPT_BODY
    }

    private final Cause cause;

    public UndecodableRecordException(Cause cause, String message, Throwable underlying) {
        super(message, underlying);
        this.cause = cause;
    }

    public Cause reason() {
        return cause;
    }
}
