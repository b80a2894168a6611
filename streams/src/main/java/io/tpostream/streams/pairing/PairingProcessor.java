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
import org.apache.kafka.streams.state.WindowStore;

import java.time.Duration;
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
 * <p>What a key decides by is one small {@link KeyState} value: a record costs one point read and at most one write
 * of it, whatever its kind; a rating's content is written once when it starts to be held and read only when it
 * pairs or expires, and never deleted (its window store drops it with its segment).
 *
 * <p>Expiry costs no writes. Before each record, a sweep accounts for the ratings whose window and grace have
 * closed by the record's stream time: an {@link ExpiryIndex} on the heap says which keys are due, and each unpaired
 * rating among them becomes an outcome. The ratings stay in their key's value, ignored, until the key is written
 * again for a record of its own (or forgotten once nothing in it matters); the stream time up to which expiries are
 * accounted for is stored, so a restarted task reports each of them exactly once. A key written for every record
 * and again for every expiry would cost a changelog record more per rating: this way, most expired ratings leave
 * with the next write their key needed anyway.
 *
 * <p>Every record leaves exactly one trace: it is a source of an emitted pair, or one dead letter (bad input, or
 * a pair over the cap), or a rating still held without a pair, or one {@link Outcome} (a rating that expired
 * unpaired, a repeated pair). Outcomes are not dead letters: they are the normal results of a pairing window.
 *
 * <p>Each record is first planned (store reads only, guarded, see {@link Guard}) and then applied (writes and
 * forwards), so a failure in planning leaves no half-done state behind.
 */
final class PairingProcessor implements Processor<String, ValidFeedback, String, Object> {

    private static final Duration SWEEP_INTERVAL = Duration.ofSeconds(1);

    private final PairingConfig config;
    private final long pairRetention;
    private final long holdMillis;
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
    private WindowStore<Bytes, HeldRating> contents;
    private KeyValueStore<String, Long> progress;
    private RecentIds emitted;
    private long heldCount;
    private long lastSweep;

    PairingProcessor(PairingConfig config, String sourceTopic, String pairSink, String deadLetterSink,
                     String outcomeSink) {
        this.config = config;
        this.pairRetention = config.pairRetention().toMillis();
        this.holdMillis = config.ratingHoldMillis();
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
        this.contents = context.getStateStore(PairingStores.HELD_RATINGS);
        this.progress = context.getStateStore(PairingStores.PROGRESS);
        this.emitted = new RecentIds(context.getStateStore(PairingStores.EMITTED_PAIRS), pairRetention);
        Long swept = progress.get(PairingStores.LAST_SWEEP);
        lastSweep = swept == null ? Long.MIN_VALUE : swept;
        index.clear();
        heldCount = 0;
        try (KeyValueIterator<Bytes, KeyState> all = keys.all()) {
            // restored state: the index and the count are derived from it, so neither needs a changelog
            all.forEachRemaining(kv -> {
                index.schedule(kv.key, kv.value.nextDue(lastSweep, holdMillis, pairRetention));
                heldCount += kv.value.held().stream()
                        .filter(h -> !h.paired() && !h.expiredAt(lastSweep, holdMillis)).count();
            });
        }
        metrics.heldRatings(context.taskId(), heldCount);
        // every record sweeps before it is paired; this also sweeps when a partition sees only records that never
        // reach pairing (bad input, duplicates), so that ratings leave within a second of stream time
        context.schedule(SWEEP_INTERVAL, PunctuationType.STREAM_TIME, this::sweep);
    }

    @Override
    public void close() {
        metrics.closeTask();
    }

    /**
     * What a record does: the key's new state (null: unchanged), its pairs, the rating it starts to hold (its slot
     * and content), and at most one of an outcome or a refusal for the record itself.
     */
    private record Plan(Bytes key, KeyState next, List<PreferencePair> pairs, KeyState.Slot holdSlot,
                        HeldRating hold, Outcome outcome, Rejection refusal, long heldDelta) {

        static Plan refuse(Rejection rejection) {
            return new Plan(null, null, List.of(), null, null, null, rejection, 0);
        }

        static Plan of(Bytes key, KeyState next, List<PreferencePair> pairs, Outcome outcome, Rejection refusal) {
            return new Plan(key, next, pairs, null, null, outcome, refusal, 0);
        }
    }

    @Override
    public void process(Record<String, ValidFeedback> record) {
        long now = context.currentStreamTimeMs();
        // stream time, not wall-clock time: expiry happens at the same records on every replay
        sweep(now);
        Plan plan = Guard.decide(() -> plan(record, now), Plan::refuse);
        apply(plan, record, now);
    }

    private Plan plan(Record<String, ValidFeedback> record, long now) {
        FeedbackEvent e = record.value().event();
        Bytes key = PairingStores.pairingKey(e.getImage().getSha256(), e.getPrompt());
        KeyState stored = keys.get(key);
        KeyState state = stored == null ? KeyState.EMPTY : stored;
        // ratings whose window closed were accounted for by the sweep; they go with this write, never meet a partner
        List<KeyState.Slot> live = new ArrayList<>(state.held().size());
        for (KeyState.Slot h : state.held()) {
            if (!h.expiredAt(now, holdMillis)) {
                live.add(h);
            }
        }
        if (live.size() != state.held().size()) {
            state = state.withHeld(live);
        }
        state = state.pruned(now, pairRetention);
        return switch (e.getKind()) {
            case CORRECTION -> planSingle(key, state, factory.correction(e, record.timestamp()), now);
            case COMPARISON -> planSingle(key, state, factory.comparison(e, record.timestamp()), now);
            case RATING -> planRating(key, state, live, e, record.timestamp(), now);
            case UNKNOWN -> throw new IllegalStateException("validation let feedback kind UNKNOWN through");
        };
    }

    private Plan planSingle(Bytes key, KeyState state, PreferencePair pair, long now) {
        if (emitted.latest(PairingStores.emittedKey(pair.getPairId()), now) != null) {
            return Plan.of(key, null, List.of(), Outcome.DUPLICATE_PAIR, null);
        }
        int count = state.livePairCount(now, pairRetention);
        if (count >= config.maxPairsPerKey()) {
            return Plan.of(key, null, List.of(), null, new Rejection(RejectReason.PAIR_CAP_REACHED,
                    "this image and prompt already produced " + count + " pairs since "
                    + Instant.ofEpochMilli(state.counterStart()) + " (maxPairsPerKey " + config.maxPairsPerKey()
                    + "); the count restarts pairRetention " + config.pairRetention() + " after that"));
        }
        return Plan.of(key, state.withPairs(1, now, pairRetention), List.of(pair), null, null);
    }

    private Plan planRating(Bytes key, KeyState state, List<KeyState.Slot> live, FeedbackEvent e, long timestamp,
                            long now) {
        KeyState.Slot arriving = KeyState.Slot.of(e.getEventId(), timestamp, e.getRating(), e.getResponse(), false);
        int count = state.livePairCount(now, pairRetention);
        String sha = e.getImage().getSha256();
        PairFactory.RatingSide arrivingSide = PairFactory.RatingSide.of(e);
        List<PreferencePair> pairs = new ArrayList<>();
        Set<String> pairIds = new HashSet<>();
        Set<Long> newlyPaired = new HashSet<>();
        for (RatingMatcher.Match m : matcher.matches(arriving, live)) {
            if (count + pairs.size() >= config.maxPairsPerKey()) {
                break; // over the cap: the rating stays held, and expires unpaired unless it paired already
            }
            HeldRating held = contents.fetch(PairingStores.heldKey(key, m.held().idHash()), m.held().timestamp());
            if (held == null) {
                throw new IllegalStateException("held rating " + Long.toHexString(m.held().idHash())
                        + " has no content");
            }
            String chosen = m.arrivingChosen() ? e.getResponse() : held.response();
            String rejected = m.arrivingChosen() ? held.response() : e.getResponse();
            String pairId = Sha256.pairId(sha, e.getPrompt(), chosen, rejected);
            if (pairIds.contains(pairId) || emitted.latest(PairingStores.emittedKey(pairId), now) != null) {
                continue; // suppressed duplicate: the rating stays held and may pair with a later one
            }
            pairIds.add(pairId);
            pairs.add(factory.rating(e.getPrompt(), e.getImage(), arrivingSide, PairFactory.RatingSide.of(held),
                    m.arrivingChosen(), m.gap(), timestamp));
            if (!m.held().paired()) {
                newlyPaired.add(m.held().idHash());
            }
        }
        List<KeyState.Slot> held = new ArrayList<>(live.size() + 1);
        for (KeyState.Slot h : live) {
            held.add(newlyPaired.contains(h.idHash()) ? h.markPaired() : h);
        }
        boolean paired = !pairs.isEmpty();
        long delta = -newlyPaired.size();
        KeyState.Slot holdSlot = null;
        HeldRating hold = null;
        Outcome outcome = null;
        if (!arriving.expiredAt(now, holdMillis)) {
            holdSlot = paired ? arriving.markPaired() : arriving;
            held.add(holdSlot);
            hold = new HeldRating(e.getEventId(), e.getOccurredAt().toEpochMilli(), e.getResponse(),
                    RecordOrigin.of(context).offset(), e.getModelName(), e.getModelVersion(), e.getTenant(),
                    HeldRating.ifInline(e.getImage()));
            delta += paired ? 0 : 1;
        } else if (!paired) {
            // a late record whose own window and grace had passed before it arrived: nothing to hold it for
            outcome = Outcome.UNPAIRED_EXPIRED;
        }
        KeyState next = state.withHeld(held).withPairs(pairs.size(), now, pairRetention);
        return new Plan(key, next, pairs, holdSlot, hold, outcome, null, delta);
    }

    private void apply(Plan plan, Record<String, ValidFeedback> record, long now) {
        if (plan.next() != null) {
            write(plan.key(), plan.next(), now);
        }
        if (plan.hold() != null) {
            metrics.stateWrite();
            contents.put(PairingStores.heldKey(plan.key(), plan.holdSlot().idHash()), plan.hold(),
                    plan.holdSlot().timestamp());
        }
        for (PreferencePair pair : plan.pairs()) {
            metrics.stateWrite();
            emitted.put(PairingStores.emittedKey(pair.getPairId()), now, RecordOrigin.of(context).offset());
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
        if (plan.heldDelta() != 0) {
            heldCount += plan.heldDelta();
            metrics.heldRatings(context.taskId(), heldCount);
        }
    }

    /**
     * Accounts for every rating whose window and grace closed after {@link #lastSweep} and by {@code streamTime}:
     * each one that never paired becomes an UNPAIRED_EXPIRED outcome. Writes nothing to the keys (see the class
     * comment) but forgets a key once nothing in it matters any more.
     */
    private void sweep(long streamTime) {
        List<Bytes> due = index.due(streamTime);
        if (due.isEmpty()) {
            return;
        }
        for (Bytes key : due) {
            KeyState state = keys.get(key);
            if (state == null) {
                index.schedule(key, Long.MAX_VALUE);
                continue;
            }
            for (KeyState.Slot h : state.held()) {
                long expiry = h.timestamp() + holdMillis + 1;
                if (!h.paired() && expiry > lastSweep && expiry <= streamTime) {
                    heldCount--;
                    expiredUnpaired(key, h, streamTime);
                }
            }
            if (state.forgettableAt(streamTime, holdMillis, pairRetention)) {
                metrics.stateWrite();
                keys.delete(key);
                index.schedule(key, Long.MAX_VALUE);
            } else {
                index.schedule(key, state.nextDue(streamTime, holdMillis, pairRetention));
            }
        }
        lastSweep = streamTime;
        metrics.stateWrite();
        progress.put(PairingStores.LAST_SWEEP, streamTime);
        metrics.heldRatings(context.taskId(), heldCount);
    }

    /** The outcome of a rating that expired without a pair, pointing back at where it was read. */
    private void expiredUnpaired(Bytes key, KeyState.Slot slot, long streamTime) {
        HeldRating content = contents.fetch(PairingStores.heldKey(key, slot.idHash()), slot.timestamp());
        // content is only missing if the state was damaged; the outcome still counts the record
        outcome(content == null ? "" : content.eventId(), Outcome.UNPAIRED_EXPIRED, context.taskId().partition(),
                content == null ? -1L : content.offset(), streamTime);
    }

    /** Stores the key's state, or deletes it once there is nothing left to remember, and reschedules it. */
    private void write(Bytes key, KeyState next, long now) {
        metrics.stateWrite();
        if (next.isEmpty()) {
            keys.delete(key);
            index.schedule(key, Long.MAX_VALUE);
        } else {
            keys.put(key, next);
            index.schedule(key, next.nextDue(now, holdMillis, pairRetention));
        }
    }

    private void outcome(String eventId, Outcome outcome, int partition, long offset, long at) {
        metrics.outcome(outcome);
        context.forward(new Record<>(eventId, (Object) Outcomes.of(eventId, outcome, sourceTopic, partition, offset,
                at), at), outcomeSink);
    }
}
