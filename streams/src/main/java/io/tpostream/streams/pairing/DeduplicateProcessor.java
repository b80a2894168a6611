package io.tpostream.streams.pairing;

import io.tpostream.streams.PairingConfig;
import io.tpostream.streams.RejectReason;
import io.tpostream.streams.validation.Rejection;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * Refuses an event id accepted before within dedupRetention of stream time. Runs after validation, so an invalid
 * record does not use up its event id: the producer's corrected resend is accepted.
 *
 * <p>No repartition is needed: records are keyed by image sha-256 (validation enforces it), so every copy of an
 * event lands in the same partition and task as the original. Once dedupRetention has passed, the id is forgotten
 * and a copy is accepted again; the window store forgets by dropping whole segments, so memory stays bounded
 * without any scan.
 */
final class DeduplicateProcessor implements Processor<String, ValidFeedback, String, Object> {

    private final long retentionMillis;
    private final String next;
    private final String deadLetterSink;
    private ProcessorContext<String, Object> context;
    private PairingMetrics metrics;
    private RecentIds seen;

    DeduplicateProcessor(PairingConfig config, String next, String deadLetterSink) {
        this.retentionMillis = config.dedupRetention().toMillis();
        this.next = next;
        this.deadLetterSink = deadLetterSink;
    }

    @Override
    public void init(ProcessorContext<String, Object> context) {
        this.context = context;
        this.metrics = PairingMetrics.forCurrentThread(context.metrics());
        this.seen = new RecentIds(context.getStateStore(PairingStores.SEEN_EVENTS), retentionMillis);
    }

    @Override
    public void process(Record<String, ValidFeedback> record) {
        String eventId = record.value().event().getEventId();
        long now = context.currentStreamTimeMs();
        RecordOrigin origin = RecordOrigin.of(context);
        Optional<Rejection> refusal = Guard.decide(() -> {
            RecentIds.Sighting first = seen.latest(eventId, now);
            return first == null ? Optional.<Rejection>empty() : Optional.of(new Rejection(
                    RejectReason.DUPLICATE_EVENT, "event id " + eventId + " was already accepted from "
                    + new RecordOrigin(origin.topic(), origin.partition(), first.offset()) + " at stream time "
                    + Instant.ofEpochMilli(first.time()) + ", less than dedupRetention "
                    + Duration.ofMillis(retentionMillis) + " ago"));
        }, Optional::of);
        if (refusal.isPresent()) {
            metrics.deadLetter(refusal.get().reason());
            context.forward(record.withKey(eventId).withValue(DeadLetters.of(origin, eventId, refusal.get(),
                    record.value().rawKey(), record.value().rawValue(), record.timestamp())), deadLetterSink);
        } else {
            seen.put(eventId, now, origin.offset());
            metrics.stateWrite();
            context.forward(record, next);
        }
    }
}
