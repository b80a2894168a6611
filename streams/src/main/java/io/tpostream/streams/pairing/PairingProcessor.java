package io.tpostream.streams.pairing;

import io.tpostream.schema.AvroSerde;
import io.tpostream.schema.FeedbackEvent;
import io.tpostream.schema.PreferencePair;
import io.tpostream.schema.Sha256;
import io.tpostream.streams.PairingConfig;
import io.tpostream.streams.RejectReason;
import io.tpostream.streams.validation.Rejection;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Turns de-duplicated events into preference pairs, per (image sha-256, prompt) key. Corrections and comparisons
 * pair at once; ratings are held and paired with the other ratings of their key whose record timestamps lie within
 * the rating window. All state is in this task's stores: the input is partitioned by image, so every event of a
 * key arrives here and no repartition is needed.
 *
 * <p>Every record leaves exactly one trace: it is a source of an emitted pair, or one dead letter, or a rating
 * still held without a pair. A held rating that expires unpaired becomes a dead letter then.
 *
 * <p>Each record is first planned (store reads only, guarded, see {@link Guard}) and then applied (writes and
 * forwards), so a failure in planning leaves no half-done state behind.
 */
final class PairingProcessor implements Processor<String, ValidFeedback, String, Object> {

    private final PairingConfig config;
    private final RatingMatcher matcher;
    private final PairFactory factory;
    private final AvroSerde<FeedbackEvent> events = AvroSerde.of(FeedbackEvent.class);
    private final String pairSink;
    private final String deadLetterSink;
    private final String expiredDetail;
    private ProcessorContext<String, Object> context;
    private PairingMetrics metrics;
    private RecentValues<String> emittedPairs;
    private RecentValues<Integer> pairCounts;
    private KeyValueStore<String, HeldRating> held;
    private KeyValueStore<Bytes, HeldSource> sources;
    private long heldCount;
    /** Every held rating expiring before this has been retired (-1: unknown, e.g. after a restart). */
    private long sweptBefore = -1;

    PairingProcessor(PairingConfig config, String pairSink, String deadLetterSink) {
        this.config = config;
        this.matcher = new RatingMatcher(config);
        this.factory = new PairFactory(config.generatorVersion());
        this.pairSink = pairSink;
        this.deadLetterSink = deadLetterSink;
        // the same for every expiry, and many ratings expire: built once
        this.expiredDetail = " (record timestamp + ratingWindow " + config.ratingWindow() + " + grace "
                + config.grace() + ") and no other rating of the same image and prompt paired with it: a partner"
                + " needs a rating gap of at least " + config.ratingGapThreshold() + ", a different response, a"
                + " record timestamp within the window, and the key below maxPairsPerKey " + config.maxPairsPerKey();
    }

    @Override
    public void init(ProcessorContext<String, Object> context) {
        this.context = context;
        this.metrics = PairingMetrics.forCurrentThread(context.metrics());
        long pairRetention = config.pairRetention().toMillis();
        this.emittedPairs = new RecentValues<>(context.getStateStore(PairingStores.EMITTED_PAIRS), pairRetention);
        this.pairCounts = new RecentValues<>(context.getStateStore(PairingStores.PAIR_COUNTS), pairRetention);
        this.held = context.getStateStore(PairingStores.HELD_RATINGS);
        this.sources = context.getStateStore(PairingStores.HELD_SOURCES);
        heldCount = 0;
        sweptBefore = -1;
        try (KeyValueIterator<String, HeldRating> all = held.all()) {
            // restored state: count once, then track; a rating that paired already is accounted for by its pair
            all.forEachRemaining(kv -> heldCount += kv.value.paired() ? 0 : 1);
        }
        metrics.heldRatings(context.taskId(), heldCount);
        // stream time, not wall-clock time: expiry happens at the same records on every replay
        context.schedule(config.expiryScanInterval(), PunctuationType.STREAM_TIME, this::expireHeldRatings);
    }

    @Override
    public void close() {
        metrics.closeTask();
    }

    /** The pairs a record yields, the held-rating changes and at most one refusal. */
    private record Plan(String pairingKey, List<PreferencePair> pairs, PairCount count, List<HeldRating> expired,
                        List<HeldRating> newlyPaired, HeldRating hold, Rejection refusal) {

        static Plan refuse(Rejection rejection) {
            return new Plan(null, List.of(), null, List.of(), List.of(), null, rejection);
        }

        static Plan emit(String pairingKey, PairCount count, PreferencePair pair) {
            return new Plan(pairingKey, List.of(pair), count, List.of(), List.of(), null, null);
        }
    }

    /** A key's pair counter: how many pairs it emitted since {@code start}. */
    private record PairCount(long start, int pairs) {
    }

    @Override
    public void process(Record<String, ValidFeedback> record) {
        long now = context.currentStreamTimeMs();
        Plan plan = Guard.decide(() -> plan(record, now), Plan::refuse);
        apply(plan, record, now);
    }

    private Plan plan(Record<String, ValidFeedback> record, long now) {
        FeedbackEvent e = record.value().event();
        String key = PairingStores.pairingKey(e.getImage().getSha256(), e.getPrompt());
        return switch (e.getKind()) {
            case CORRECTION -> planSingle(key, factory.correction(e, record.timestamp()), now);
            case COMPARISON -> planSingle(key, factory.comparison(e, record.timestamp()), now);
            case RATING -> planRating(key, e, record.timestamp(), now);
            case UNKNOWN -> throw new IllegalStateException("validation let feedback kind UNKNOWN through");
        };
    }

    private Plan planSingle(String key, PreferencePair pair, long now) {
        Optional<String> earlier = emittedBy(pair.getPairId(), now);
        if (earlier.isPresent()) {
            return Plan.refuse(new Rejection(RejectReason.DUPLICATE_PAIR, "pair " + pair.getPairId()
                    + " (same image, prompt, chosen and rejected text) was already emitted from event(s) "
                    + earlier.get() + " within pairRetention " + config.pairRetention()));
        }
        PairCount count = pairCount(key, now);
        if (count.pairs() >= config.maxPairsPerKey()) {
            return Plan.refuse(new Rejection(RejectReason.PAIR_CAP_REACHED, "this image and prompt already"
                    + " produced " + count.pairs() + " pairs since " + Instant.ofEpochMilli(count.start())
                    + " (maxPairsPerKey " + config.maxPairsPerKey() + "); the count restarts pairRetention "
                    + config.pairRetention() + " after that"));
        }
        return Plan.emit(key, count, pair);
    }

    private Plan planRating(String key, FeedbackEvent e, long timestamp, long now) {
        HeldRating arriving = new HeldRating(e.getEventId(), timestamp, timestamp + config.ratingHoldMillis(),
                e.getRating(), e.getOccurredAt().toEpochMilli(), e.getResponse(), false);
        List<HeldRating> live = new ArrayList<>();
        List<HeldRating> expired = new ArrayList<>();
        try (KeyValueIterator<String, HeldRating> it = held.prefixScan(key, new StringSerializer())) {
            // expired ratings of this key are retired now rather than at the next punctuation, so a rating never
            // meets a partner whose window has closed, whatever the punctuation interval
            it.forEachRemaining(kv -> (kv.value.expiredAt(now) ? expired : live).add(kv.value));
        }
        PairCount count = pairCount(key, now);
        List<PreferencePair> pairs = new ArrayList<>();
        List<HeldRating> newlyPaired = new ArrayList<>();
        Set<String> pairIds = new HashSet<>();
        for (RatingMatcher.Match m : matcher.matches(arriving, live)) {
            if (count.pairs() + pairs.size() >= config.maxPairsPerKey()) {
                break; // over the cap: the rating stays held, and expires unpaired unless it paired already
            }
            String chosen = m.arrivingChosen() ? arriving.response() : m.held().response();
            String rejected = m.arrivingChosen() ? m.held().response() : arriving.response();
            String pairId = Sha256.pairId(e.getImage().getSha256(), e.getPrompt(), chosen, rejected);
            if (!pairIds.add(pairId) || emittedBy(pairId, now).isPresent()) {
                continue; // suppressed duplicate: the rating stays held and may pair with a later one
            }
            pairs.add(factory.rating(e, heldEvent(key, m.held()), m.arrivingChosen(), m.gap(), timestamp));
            if (!m.held().paired()) {
                newlyPaired.add(m.held());
            }
        }
        HeldRating hold = pairs.isEmpty() ? arriving : arriving.markPaired();
        if (!hold.expiredAt(now)) {
            return new Plan(key, pairs, count, expired, newlyPaired, hold, null);
        }
        // a late record whose own window and grace had passed before it arrived: nothing to hold it for
        Rejection refusal = hold.paired() ? null : new Rejection(RejectReason.UNPAIRED_EXPIRED, "rating "
                + hold.rating() + " arrived at stream time " + Instant.ofEpochMilli(now) + ", after its window and"
                + " grace (record timestamp " + Instant.ofEpochMilli(timestamp) + " + " + config.ratingWindow()
                + " + " + config.grace() + ") had passed, and no held rating paired with it");
        return new Plan(key, pairs, count, expired, newlyPaired, null, refusal);
    }

    private FeedbackEvent heldEvent(String key, HeldRating rating) {
        HeldSource source = sources.get(PairingStores.expiryKey(rating.expiresAt(),
                PairingStores.heldKey(key, rating.eventId())));
        if (source == null) {
            throw new IllegalStateException("held rating " + rating.eventId() + " has no source record");
        }
        return events.decode(source.rawValue());
    }

    private void apply(Plan plan, Record<String, ValidFeedback> record, long now) {
        for (HeldRating h : plan.expired()) {
            retire(PairingStores.heldKey(plan.pairingKey(), h.eventId()), h.expiresAt(), now);
        }
        for (PreferencePair pair : plan.pairs()) {
            emittedPairs.put(pair.getPairId(), String.join(",", pair.getSourceEventIds()), now);
            metrics.pairOut();
            context.forward(record.withKey(pair.getImage().getSha256()).withValue((Object) pair), pairSink);
        }
        if (!plan.pairs().isEmpty()) {
            pairCounts.put(plan.pairingKey(), plan.count().pairs() + plan.pairs().size(), plan.count().start());
        }
        for (HeldRating h : plan.newlyPaired()) {
            held.put(PairingStores.heldKey(plan.pairingKey(), h.eventId()), h.markPaired());
            heldCount--;
        }
        ValidFeedback source = record.value();
        if (plan.hold() != null) {
            String heldKey = PairingStores.heldKey(plan.pairingKey(), plan.hold().eventId());
            held.put(heldKey, plan.hold());
            sources.put(PairingStores.expiryKey(plan.hold().expiresAt(), heldKey),
                    new HeldSource(RecordOrigin.of(context), source.rawKey(), source.rawValue()));
            if (!plan.hold().paired()) {
                heldCount++;
            }
        }
        if (plan.refusal() != null) {
            String eventId = source.event().getEventId();
            deadLetter(new Record<>(eventId, DeadLetters.of(RecordOrigin.of(context), eventId, plan.refusal(),
                    source.rawKey(), source.rawValue(), record.timestamp()), record.timestamp(), record.headers()),
                    plan.refusal().reason());
        }
        metrics.heldRatings(context.taskId(), heldCount);
    }

    /** Walks the held ratings whose expiry time stream time has passed, oldest first. */
    private void expireHeldRatings(long streamTime) {
        List<Bytes> due = new ArrayList<>();
        // start where the last sweep ended: RocksDB keeps deleted entries as tombstones until compaction, and a
        // scan from the very first key would step over all of them on every sweep. Nothing is ever added below
        // that point: a rating is held only while its expiry is not in the past.
        Bytes from = sweptBefore < 0 ? null : PairingStores.expiringBefore(sweptBefore);
        try (KeyValueIterator<Bytes, HeldSource> it = sources.range(from, PairingStores.expiringBefore(streamTime))) {
            it.forEachRemaining(kv -> due.add(kv.key));
        }
        sweptBefore = streamTime;
        for (Bytes expiryKey : due) {
            retire(PairingStores.heldKeyOf(expiryKey), PairingStores.expiryTimeOf(expiryKey), streamTime);
        }
        metrics.heldRatings(context.taskId(), heldCount);
    }

    /** Removes a held rating; one that never paired is accounted for with a dead letter. */
    private void retire(String heldKey, long expiresAt, long streamTime) {
        HeldRating rating = held.delete(heldKey);
        HeldSource source = sources.delete(PairingStores.expiryKey(expiresAt, heldKey));
        if (rating != null && !rating.paired()) {
            heldCount--;
        }
        if (rating == null && source == null || rating != null && rating.paired()) {
            return;
        }
        String eventId = rating == null ? null : rating.eventId();
        Rejection why = new Rejection(RejectReason.UNPAIRED_EXPIRED, rating == null
                ? "held rating state was incomplete at expiry"
                : "rating " + rating.rating() + " was held until " + Instant.ofEpochMilli(rating.expiresAt())
                + expiredDetail);
        RecordOrigin origin = source == null ? RecordOrigin.UNKNOWN : source.origin();
        deadLetter(new Record<>(eventId, DeadLetters.of(origin, eventId, why,
                source == null ? null : source.rawKey(), source == null ? null : source.rawValue(), streamTime),
                streamTime), why.reason());
    }

    private void deadLetter(Record<String, Object> letter, RejectReason reason) {
        metrics.deadLetter(reason);
        context.forward(letter, deadLetterSink);
    }

    /** Event ids of the emission of this pair id within pairRetention, if any. */
    private Optional<String> emittedBy(String pairId, long now) {
        return emittedPairs.latest(pairId, now).map(Stamped::value);
    }

    /** The key's live counter: the latest one started within pairRetention, or a new one starting now. */
    private PairCount pairCount(String key, long now) {
        return pairCounts.latest(key, now).map(c -> new PairCount(c.time(), c.value())).orElse(new PairCount(now, 0));
    }
}
