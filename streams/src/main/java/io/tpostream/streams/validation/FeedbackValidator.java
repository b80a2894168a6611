package io.tpostream.streams.validation;

import io.tpostream.schema.AvroSerde;
import io.tpostream.schema.FeedbackEvent;
import io.tpostream.schema.ImageRef;
import io.tpostream.schema.Sha256;
import io.tpostream.schema.UndecodableRecordException;
import io.tpostream.streams.PairingConfig;
import io.tpostream.streams.RejectReason;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * Decides whether one feedback record is fit to become training data. Pure: no Kafka, no clock, no I/O; the
 * record's key and timestamp are passed in. Cheap checks run first so that obviously broken records never pay
 * for hashing or decoding an image. The first failed check is reported.
 */
public final class FeedbackValidator {

    private final PairingConfig config;
    private final AvroSerde<FeedbackEvent> serde = AvroSerde.of(FeedbackEvent.class);
    private final ImageInspector images;

    public FeedbackValidator(PairingConfig config) {
        this.config = config;
        this.images = new ImageInspector(config.maxImageBytes(), config.maxImagePixels());
    }

    /**
     * Decodes and checks a raw record.
     *
     * @param rawKey          the record key as bytes (UTF-8 of the image sha-256), may be null
     * @param rawValue        the record value (a FeedbackEvent in Avro single-object encoding), may be null
     * @param recordTimestamp the Kafka record timestamp, which occurredAt is checked against
     */
    public Verdict validate(byte[] rawKey, byte[] rawValue, long recordTimestamp) {
        if (rawValue == null) {
            return new Verdict.Rejected(new Rejection(RejectReason.NULL_VALUE,
                    "the record value is null; feedback events are never deleted, so a tombstone is a producer bug"),
                    null);
        }
        FeedbackEvent event;
        try {
            event = serde.decode(rawValue);
        } catch (UndecodableRecordException e) {
            return new Verdict.Rejected(new Rejection(RejectReason.of(e.reason()), e.getMessage()), null);
        }
        String key = rawKey == null ? null : new String(rawKey, StandardCharsets.UTF_8);
        return check(key, event, recordTimestamp)
                .<Verdict>map(r -> new Verdict.Rejected(r, usableEventId(event)))
                .orElseGet(() -> new Verdict.Accepted(event));
    }

    /** Checks a decoded event; empty means it is fit for pairing. */
    public Optional<Rejection> check(String recordKey, FeedbackEvent e, long recordTimestamp) {
        Optional<Rejection> r = checkTexts(e);
        if (r.isEmpty()) {
            r = checkKind(e);
        }
        if (r.isEmpty()) {
            r = checkTimestamp(e, recordTimestamp);
        }
        if (r.isEmpty()) {
            r = checkImage(recordKey, e.getImage());
        }
        return r;
    }

    /** The event id to key a dead letter with: only one that is present and not over-long. */
    private String usableEventId(FeedbackEvent e) {
        String id = e.getEventId();
        return isBlank(id) || id.length() > config.maxTextChars() ? null : id;
    }

    private Optional<Rejection> checkTexts(FeedbackEvent e) {
        if (isBlank(e.getEventId())) {
            return reject(RejectReason.MISSING_EVENT_ID, "eventId is blank; without it the event can be neither"
                    + " de-duplicated nor traced from the pairs it makes");
        }
        if (isBlank(e.getPrompt())) {
            return reject(RejectReason.MISSING_PROMPT, "prompt is blank");
        }
        if (isBlank(e.getResponse())) {
            return reject(RejectReason.MISSING_RESPONSE, "response is blank");
        }
        ImageRef image = e.getImage();
        String[] names = TEXT_FIELDS;
        String[] values = {e.getEventId(), e.getModelName(), e.getPrompt(), e.getResponse(), e.getCorrectedResponse(),
                e.getOtherResponse(), e.getAnnotator(), e.getTenant(), image.getUri(), image.getMediaType()};
        for (int i = 0; i < names.length; i++) {
            if (values[i] != null && values[i].length() > config.maxTextChars()) {
                return tooLong(names[i], values[i]);
            }
        }
        for (Map.Entry<String, String> a : e.getAttributes().entrySet()) {
            if (a.getKey().length() > config.maxTextChars()) {
                return tooLong("attributes key '" + abbreviate(a.getKey()) + "'", a.getKey());
            }
            if (a.getValue().length() > config.maxTextChars()) {
                return tooLong("attributes['" + abbreviate(a.getKey()) + "']", a.getValue());
            }
        }
        return Optional.empty();
    }

    private static final String[] TEXT_FIELDS = {"eventId", "modelName", "prompt", "response", "correctedResponse",
            "otherResponse", "annotator", "tenant", "image.uri", "image.mediaType"};

    private Optional<Rejection> tooLong(String field, String value) {
        return reject(RejectReason.FIELD_TOO_LONG, field + " has " + value.length() + " chars, more than maxTextChars "
                + config.maxTextChars());
    }

    private Optional<Rejection> checkKind(FeedbackEvent e) {
        return switch (e.getKind()) {
            case RATING -> checkRating(e.getRating());
            case CORRECTION -> checkCorrection(e);
            case COMPARISON -> checkComparison(e);
            case UNKNOWN -> reject(RejectReason.UNKNOWN_KIND, "kind is UNKNOWN: the writer used a feedback kind"
                    + " this reader does not know (a newer release's enum symbol reads as UNKNOWN); upgrade the"
                    + " pairing app to use it");
        };
    }

    private Optional<Rejection> checkRating(Double rating) {
        if (rating == null) {
            return reject(RejectReason.MISSING_RATING, "a RATING event has no rating");
        }
        if (!Double.isFinite(rating) || rating < config.ratingMin() || rating > config.ratingMax()) {
            return reject(RejectReason.RATING_OUT_OF_RANGE, "rating " + rating + " is outside "
                    + config.ratingMin() + ".." + config.ratingMax());
        }
        return Optional.empty();
    }

    private static Optional<Rejection> checkCorrection(FeedbackEvent e) {
        if (isBlank(e.getCorrectedResponse())) {
            return reject(RejectReason.MISSING_CORRECTION, "a CORRECTION event has no correctedResponse");
        }
        if (sameText(e.getCorrectedResponse(), e.getResponse())) {
            return reject(RejectReason.CORRECTION_IDENTICAL, "correctedResponse equals the response (ignoring"
                    + " surrounding white space): there is nothing to prefer");
        }
        return Optional.empty();
    }

    private static Optional<Rejection> checkComparison(FeedbackEvent e) {
        if (isBlank(e.getOtherResponse()) || e.getOtherPreferred() == null) {
            return reject(RejectReason.MISSING_COMPARISON, "a COMPARISON event needs otherResponse and"
                    + " otherPreferred (otherResponse " + (isBlank(e.getOtherResponse()) ? "missing" : "present")
                    + ", otherPreferred " + e.getOtherPreferred() + ")");
        }
        if (sameText(e.getOtherResponse(), e.getResponse())) {
            return reject(RejectReason.COMPARISON_IDENTICAL, "otherResponse equals the response (ignoring"
                    + " surrounding white space): there is nothing to prefer");
        }
        return Optional.empty();
    }

    /**
     * Compares with the record timestamp, not the wall clock, so that a replay of an old topic accepts exactly
     * what the first run accepted.
     */
    private Optional<Rejection> checkTimestamp(FeedbackEvent e, long recordTimestamp) {
        long occurredAt = e.getOccurredAt().toEpochMilli();
        long latest = saturatedAdd(recordTimestamp, config.maxFutureSkew().toMillis());
        long earliest = saturatedAdd(recordTimestamp, -config.maxAge().toMillis());
        if (occurredAt > latest) {
            return reject(RejectReason.TIMESTAMP_OUT_OF_RANGE, "occurredAt " + e.getOccurredAt()
                    + " is more than maxFutureSkew " + config.maxFutureSkew() + " after the record timestamp "
                    + Instant.ofEpochMilli(recordTimestamp));
        }
        if (occurredAt < earliest) {
            return reject(RejectReason.TIMESTAMP_OUT_OF_RANGE, "occurredAt " + e.getOccurredAt()
                    + " is more than maxAge " + config.maxAge() + " before the record timestamp "
                    + Instant.ofEpochMilli(recordTimestamp));
        }
        return Optional.empty();
    }

    private Optional<Rejection> checkImage(String recordKey, ImageRef image) {
        String sha = image.getSha256();
        if (!Sha256.isWellFormed(sha)) {
            return reject(RejectReason.BAD_SHA256, "image.sha256 '" + abbreviate(sha)
                    + "' is not 64 lower-case hex characters");
        }
        if (!sha.equals(recordKey)) {
            return reject(RejectReason.KEY_MISMATCH, "record key '" + abbreviate(recordKey) + "' is not the image"
                    + " sha256 " + sha + ". Producers must key feedback by image sha-256 so that all feedback for one"
                    + " image lands in one partition and meets in one stream task: that is what lets the pairing"
                    + " app pair ratings and de-duplicate events without a repartition. A record with another key"
                    + " may sit in a partition where its partners never arrive.");
        }
        ByteBuffer bytes = image.getBytes();
        if (isBlank(image.getUri()) && bytes == null) {
            return reject(RejectReason.NO_IMAGE_SOURCE, "image has neither a uri nor inline bytes");
        }
        return bytes == null ? Optional.empty() : images.inspect(toArray(bytes), sha);
    }

    private static byte[] toArray(ByteBuffer buffer) {
        ByteBuffer view = buffer.duplicate();
        byte[] out = new byte[view.remaining()];
        view.get(out);
        return out;
    }

    /** Texts that differ only in surrounding white space say the same thing. */
    public static boolean sameText(String a, String b) {
        return a.strip().equals(b.strip());
    }

    private static boolean isBlank(String s) {
        return s == null || s.isBlank();
    }

    private static long saturatedAdd(long a, long b) {
        long r = a + b;
        // overflow only if both operands have the same sign and the result's sign differs
        if (((a ^ r) & (b ^ r)) < 0) {
            return b > 0 ? Long.MAX_VALUE : Long.MIN_VALUE;
        }
        return r;
    }

    private static String abbreviate(String s) {
        if (s == null) {
            return "null";
        }
        return s.length() <= 80 ? s : s.substring(0, 80) + "...(" + s.length() + " chars)";
    }

    private static Optional<Rejection> reject(RejectReason reason, String detail) {
        return Optional.of(new Rejection(reason, detail));
    }
}
