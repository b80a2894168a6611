package io.tpostream.streams;

import io.tpostream.schema.UndecodableRecordException;

/**
 * Why a feedback record became a dead letter instead of training data. The enum name is the {@code reason} code
 * written into {@link io.tpostream.schema.DeadLetter}; consumers of the dead-letter topic match on it, so names are
 * never renamed, only added.
 */
public enum RejectReason {
    /** the value is not Avro single-object encoding at all (no marker, or cut before the header ended) */
    UNDECODABLE,
    /** a valid header whose writer schema fingerprint is in no release this reader knows */
    UNKNOWN_SCHEMA,
    /** the header was readable, the body was not (truncated, corrupt, impossible lengths) */
    CORRUPT_RECORD,
    /** a null value (tombstone); the feedback topic is not compacted, so this is a producer bug */
    NULL_VALUE,
    /** event id absent or blank: the event can be neither de-duplicated nor traced */
    MISSING_EVENT_ID,
    /** prompt absent or blank */
    MISSING_PROMPT,
    /** response absent or blank */
    MISSING_RESPONSE,
    /** a text field is longer than the configured maximum */
    FIELD_TOO_LONG,
    /** the image reference carries neither a URI nor inline bytes */
    NO_IMAGE_SOURCE,
    /** the image sha-256 is not 64 lower-case hex characters */
    BAD_SHA256,
    /** the record key is not the image sha-256, so this record may sit in the wrong partition */
    KEY_MISMATCH,
    /** the inline image bytes do not hash to the declared sha-256 */
    IMAGE_SHA_MISMATCH,
    /** the inline image is larger than allowed, in bytes or in declared pixels */
    IMAGE_TOO_LARGE,
    /** no ImageIO reader can decode the inline image bytes */
    IMAGE_UNDECODABLE,
    /** the feedback kind is UNKNOWN: what a symbol added by a newer writer decodes to */
    UNKNOWN_KIND,
    /** a RATING without a rating */
    MISSING_RATING,
    /** a rating that is not finite or outside the configured range */
    RATING_OUT_OF_RANGE,
    /** a CORRECTION without a corrected response */
    MISSING_CORRECTION,
    /** a CORRECTION whose corrected text equals the response (ignoring surrounding white space) */
    CORRECTION_IDENTICAL,
    /** a COMPARISON without the other response or without which one was preferred */
    MISSING_COMPARISON,
    /** a COMPARISON of two identical texts (ignoring surrounding white space) */
    COMPARISON_IDENTICAL,
    /** occurredAt is too far after or before the Kafka record timestamp */
    TIMESTAMP_OUT_OF_RANGE,
    /** an event id that was already accepted within the de-duplication retention */
    DUPLICATE_EVENT,
    /**
     * a CORRECTION or COMPARISON whose pair was already emitted within the pair retention. No longer written: since
     * issue 13 this is an {@link Outcome}, not bad input; kept so that older dead letters read as a known code
     */
    DUPLICATE_PAIR,
    /** a CORRECTION or COMPARISON for an (image, prompt) key that already produced the maximum number of pairs */
    PAIR_CAP_REACHED,
    /**
     * a RATING whose window closed before any other rating of its (image, prompt) paired with it. No longer written:
     * since issue 13 this is an {@link Outcome}; kept so that older dead letters read as a known code
     */
    UNPAIRED_EXPIRED,
    /** processing the record failed unexpectedly (a bug); the record is kept here instead of stopping the stream */
    INTERNAL_ERROR;

    /** The reason for a record the Avro serde could not decode. */
    public static RejectReason of(UndecodableRecordException.Cause cause) {
        return switch (cause) {
            case BAD_HEADER -> UNDECODABLE;
            case UNKNOWN_SCHEMA -> UNKNOWN_SCHEMA;
            case CORRUPT_BODY -> CORRUPT_RECORD;
        };
    }
}
