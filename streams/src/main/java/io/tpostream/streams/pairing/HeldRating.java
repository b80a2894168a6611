package io.tpostream.streams.pairing;

/**
 * What the rating store keeps per held rating: only what matching needs, so a scan over a key's ratings reads
 * a few hundred bytes each. The record's raw bytes (possibly a megabyte image) live in {@link HeldSource}.
 *
 * @param eventId    the rating's event id
 * @param timestamp  its Kafka record timestamp: the rating's position in stream time
 * @param expiresAt  timestamp + window + grace; held while stream time has not passed it
 * @param rating     the score
 * @param occurredAt its occurredAt, in epoch millis
 * @param response   the rated response text
 * @param paired     whether it was the source of at least one emitted pair
 */
public record HeldRating(String eventId, long timestamp, long expiresAt, double rating, long occurredAt,
                         String response, boolean paired) {

    boolean expiredAt(long streamTime) {
        return streamTime > expiresAt;
    }

    HeldRating markPaired() {
        return paired ? this : new HeldRating(eventId, timestamp, expiresAt, rating, occurredAt, response, true);
    }
}
