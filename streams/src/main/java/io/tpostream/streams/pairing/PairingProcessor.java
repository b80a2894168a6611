package io.tpostream.streams.pairing;

import io.tpostream.schema.FeedbackEvent;
import io.tpostream.schema.PreferencePair;
import io.tpostream.schema.Sha256;
import io.tpostream.streams.Outcome;
import io.tpostream.streams.PairingConfig;
import io.tpostream.streams.RejectReason;
import io.tpostream.streams.validation.Rejection;
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
import java.util.Set;

/**
 * Turns de-duplicated events into preference pairs, per (image sha-256, prompt) key. Corrections and comparisons
 * pair at once; ratings are held and paired with the other ratings of their key whose record timestamps lie within
 * the rating window. All state is in this task's stores: the input is partitioned by image, so every event of a
 * key arrives here and no repartition is needed.
 *
 * <p>Everything about a key is one {@link KeyState} value: a record costs one point read and at most one write,
 * whatever its kind. Expiry follows an {@link ExpiryIndex} of when each key is next due, so a punctuation touches
 * only the keys whose ratings expire or whose memory runs out.
 *
 * <p>Every record leaves exactly one trace: it is a source of an emitted pair, or one dead letter (bad input, or
 * a pair over the cap), or a rating still held without a pair, or one {@link Outcome} (a rating that expired
 * unpaired, a repeated pair). Outcomes are not dead letters: they are the normal results of a pairing window.
 *
 * <p>Each record is first planned (store reads only, guarded, see {@link Guard}) and then applied (writes and
 * forwards), so a failure in planning leaves no half-done state behind.
 */
final class PairingProcessor implements Processor<String, ValidFeedback, String, Object> {

    private final PairingConfig config;
    private final long pairRetention;
    private final RatingMatcher matcher;
    private final PairFactory factory;
    private final String sourceTopic;
    private final String pairSink;
    private final String deadLetterSink;
    private final String outcomeSink;
    private final ExpiryIndex index = new ExpiryIndex();
    private ProcessorContext<String, Object> context;
    private PairingMetrics metrics;
    private KeyValueStore<Bytes, KeyState> keys;
    private long heldCount;

    PairingProcessor(PairingConfig config, String sourceTopic, String pairSink, String deadLetterSink,
                     String outcomeSink) {
        this.config = config;
        this.pairRetention = config.pairRetention().toMillis();
        this.matcher = new RatingMatcher(config);
        this.factory = new PairFactory(config.generatorVersion());
        this.sourceTopic = sourceTopic;
        this.pairSink = pairSink;
        this.deadLetterSink = deadLetterSink;
        this.outcomeSink = outcomeSink;
    }

    @Override
    public void init(ProcessorContext<String, Object> context) {
        this.context = context;
        this.metrics = PairingMetrics.forCurrentThread(context.metrics());
        this.keys = context.getStateStore(PairingStores.KEYS);
        index.clear();
        heldCount = 0;
        try (KeyValueIterator<Bytes, KeyState> all = keys.all()) {
            // restored state: the index and the count are derived from it, so neither needs a changelog
            all.forEachRemaining(kv -> {
                index.schedule(kv.key, kv.value.nextDue(pairRetention));
                heldCount += unpaired(kv.value.held());
            });
        }
        metrics.heldRatings(context.taskId(), heldCount);
        // stream time, not wall-clock time: expiry happens at the same records on every replay
        context.schedule(config.expiryScanInterval(), PunctuationType.STREAM_TIME, this::expire);
    }

    @Override
    public void close() {
        metrics.closeTask();
    }

    /**
     * What a record does: the key's new state (null: unchanged), its pairs, the held ratings it retires unpaired,
     * and at most one of an outcome or a refusal for the record itself.
     */
    private record Plan(Bytes key, KeyState next, List<PreferencePair> pairs, List<HeldRating> expired,
                        Outcome outcome, Rejection refusal, long heldDelta) {

        static Plan refuse(Rejection rejection) {
            return new Plan(null, null, List.of(), List.of(), null, rejection, 0);
        }
    }

    @Override
    public void process(Record<String, ValidFeedback> record) {
        long now = context.currentStreamTimeMs();
        Plan plan = Guard.decide(() -> plan(record, now), Plan::refuse);
        apply(plan, record, now);
    }

    private Plan plan(Record<String, ValidFeedback> record, long now) {
        FeedbackEvent e = record.value().event();
        Bytes key = PairingStores.pairingKey(e.getImage().getSha256(), e.getPrompt());
        KeyState stored = keys.get(key);
        KeyState state = stored == null ? KeyState.EMPTY : stored;
        // expired ratings of this key are retired now rather than at the next punctuation, so a rating never
        // meets a partner whose window has closed, whatever the punctuation interval
        List<HeldRating> live = new ArrayList<>(state.held().size());
        List<HeldRating> expired = new ArrayList<>();
        for (HeldRating h : state.held()) {
            if (!h.expiredAt(now)) {
                live.add(h);
            } else if (!h.paired()) {
                expired.add(h); // one that paired is accounted for by its pair: it just goes
            }
        }
        boolean retired = live.size() != state.held().size();
        if (retired) {
            state = state.withHeld(live).pruned(now, pairRetention);
        }
        Plan plan = switch (e.getKind()) {
            case CORRECTION -> planSingle(key, state, factory.correction(e, record.timestamp()), now);
            case COMPARISON -> planSingle(key, state, factory.comparison(e, record.timestamp()), now);
            case RATING -> planRating(key, state, live, e, record.timestamp(), now);
            case UNKNOWN -> throw new IllegalStateException("validation let feedback kind UNKNOWN through");
        };
        if (retired) {
            KeyState next = plan.next() == null ? state : plan.next();
            plan = new Plan(key, next, plan.pairs(), expired, plan.outcome(), plan.refusal(),
                    plan.heldDelta() - expired.size());
        }
        return plan;
    }

    private Plan planSingle(Bytes key, KeyState state, PreferencePair pair, long now) {
        if (state.emittedAt(pair.getPairId(), now, pairRetention) >= 0) {
            return new Plan(key, null, List.of(), List.of(), Outcome.DUPLICATE_PAIR, null, 0);
        }
        int count = state.livePairCount(now, pairRetention);
        if (count >= config.maxPairsPerKey()) {
            return new Plan(key, null, List.of(), List.of(), null, new Rejection(RejectReason.PAIR_CAP_REACHED,
                    "this image and prompt already produced " + count + " pairs since "
                    + Instant.ofEpochMilli(state.counterStart()) + " (maxPairsPerKey " + config.maxPairsPerKey()
                    + "); the count restarts pairRetention " + config.pairRetention() + " after that"), 0);
        }
        return new Plan(key, state.withPairs(List.of(pair.getPairId()), now, pairRetention), List.of(pair),
                List.of(), null, null, 0);
    }

    private Plan planRating(Bytes key, KeyState state, List<HeldRating> live, FeedbackEvent e, long timestamp,
                            long now) {
        RecordOrigin origin = RecordOrigin.of(context);
        HeldRating arriving = new HeldRating(e.getEventId(), timestamp, timestamp + config.ratingHoldMillis(),
                e.getRating(), e.getOccurredAt().toEpochMilli(), e.getResponse(), false, origin.partition(),
                origin.offset(), e.getModelName(), e.getTenant(), HeldRating.Image.of(e.getImage()));
        int count = state.livePairCount(now, pairRetention);
        String sha = e.getImage().getSha256();
        PairFactory.RatingSide arrivingSide = PairFactory.RatingSide.of(e);
        List<PreferencePair> pairs = new ArrayList<>();
        List<String> pairIds = new ArrayList<>();
        Set<String> newlyPaired = new HashSet<>();
        for (RatingMatcher.Match m : matcher.matches(arriving, live)) {
            if (count + pairs.size() >= config.maxPairsPerKey()) {
                break; // over the cap: the rating stays held, and expires unpaired unless it paired already
            }
            String chosen = m.arrivingChosen() ? arriving.response() : m.held().response();
            String rejected = m.arrivingChosen() ? m.held().response() : arriving.response();
            String pairId = Sha256.pairId(sha, e.getPrompt(), chosen, rejected);
            if (pairIds.contains(pairId) || state.emittedAt(pairId, now, pairRetention) >= 0) {
                continue; // suppressed duplicate: the rating stays held and may pair with a later one
            }
            pairIds.add(pairId);
            pairs.add(factory.rating(e.getPrompt(), arrivingSide, PairFactory.RatingSide.of(m.held(), sha),
                    m.arrivingChosen(), m.gap(), timestamp));
            if (!m.held().paired()) {
                newlyPaired.add(m.held().eventId());
            }
        }
        List<HeldRating> held = new ArrayList<>(live.size() + 1);
        for (HeldRating h : live) {
            held.add(newlyPaired.contains(h.eventId()) ? h.markPaired() : h);
        }
        HeldRating hold = pairs.isEmpty() ? arriving : arriving.markPaired();
        long delta = -newlyPaired.size();
        Outcome outcome = null;
        if (!hold.expiredAt(now)) {
            held.add(hold);
            delta += hold.paired() ? 0 : 1;
        } else if (!hold.paired()) {
            // a late record whose own window and grace had passed before it arrived: nothing to hold it for
            outcome = Outcome.UNPAIRED_EXPIRED;
        }
        KeyState next = state.withHeld(held).withPairs(pairIds, now, pairRetention);
        return new Plan(key, next, pairs, List.of(), outcome, null, delta);
    }

    private void apply(Plan plan, Record<String, ValidFeedback> record, long now) {
        for (HeldRating h : plan.expired()) {
            outcome(h.eventId(), Outcome.UNPAIRED_EXPIRED, h.partition(), h.offset(), now);
        }
        if (plan.next() != null) {
            write(plan.key(), plan.next());
        }
        for (PreferencePair pair : plan.pairs()) {
            metrics.pairOut();
            context.forward(record.withKey(pair.getImage().getSha256()).withValue((Object) pair), pairSink);
        }
        ValidFeedback source = record.value();
        String eventId = source.event().getEventId();
        if (plan.outcome() != null) {
            RecordOrigin origin = RecordOrigin.of(context);
            outcome(eventId, plan.outcome(), origin.partition(), origin.offset(), record.timestamp());
        }
        if (plan.refusal() != null) {
            metrics.deadLetter(plan.refusal().reason());
            context.forward(new Record<>(eventId, (Object) DeadLetters.of(RecordOrigin.of(context), eventId,
                    plan.refusal(), source.rawKey(), source.rawValue(), record.timestamp()), record.timestamp(),
                    record.headers()), deadLetterSink);
        }
        heldCount += plan.heldDelta();
        metrics.heldRatings(context.taskId(), heldCount);
    }

    /** Retires what stream time has made due, key by key, in due order. */
    private void expire(long streamTime) {
        for (Bytes key : index.due(streamTime)) {
            KeyState state = keys.get(key);
            if (state == null) {
                index.schedule(key, Long.MAX_VALUE);
                continue;
            }
            List<HeldRating> live = new ArrayList<>(state.held().size());
            for (HeldRating h : state.held()) {
                if (!h.expiredAt(streamTime)) {
                    live.add(h);
                } else if (!h.paired()) {
                    heldCount--;
                    outcome(h.eventId(), Outcome.UNPAIRED_EXPIRED, h.partition(), h.offset(), streamTime);
                }
            }
            write(key, state.withHeld(live).pruned(streamTime, pairRetention));
        }
        metrics.heldRatings(context.taskId(), heldCount);
    }

    /** Stores the key's state, or deletes it once there is nothing left to remember, and reschedules it. */
    private void write(Bytes key, KeyState next) {
        metrics.stateWrite();
        if (next.isEmpty()) {
            keys.delete(key);
            index.schedule(key, Long.MAX_VALUE);
        } else {
            keys.put(key, next);
            index.schedule(key, next.nextDue(pairRetention));
        }
    }

    private void outcome(String eventId, Outcome outcome, int partition, long offset, long at) {
        metrics.outcome(outcome);
        context.forward(new Record<>(eventId, (Object) Outcomes.of(eventId, outcome, sourceTopic, partition, offset,
                at), at), outcomeSink);
    }

    private static long unpaired(List<HeldRating> held) {
        long n = 0;
        for (HeldRating h : held) {
            n += h.paired() ? 0 : 1;
        }
        return n;
    }
}
