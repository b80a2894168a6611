package io.tpostream.streams.pairing;

import java.util.ArrayList;
import java.util.List;

/**
 * Everything the pairing rules remember about one (image, prompt) key, as one store value: the ratings it holds,
 * the pairs it emitted within pairRetention (as 64-bit fingerprints of their ids) and its pair counter. One value
 * per key means one point read and one write per record, and record caching folds the writes of a busy key into
 * one changelog record per commit. Immutable; the methods return changed copies.
 *
 * @param counterStart when the key's pair counter started (meaningless while counterPairs is 0)
 * @param counterPairs pairs counted since counterStart
 * @param emitted      pairs emitted within pairRetention, oldest first
 * @param held         ratings held, in arrival order
 */
record KeyState(long counterStart, int counterPairs, List<Emitted> emitted, List<HeldRating> held) {

    static final KeyState EMPTY = new KeyState(0, 0, List.of(), List.of());

    /**
     * A pair emitted at a stream time. The fingerprint is the first 64 bits of the pair id (itself a sha-256): it
     * only has to tell apart the pairs of one key within pairRetention, at most two caps' worth, so a collision
     * (about 2^-50 for 128 of them) is far below any other error rate here, and 8 bytes replace 64 hex digits.
     */
    record Emitted(long fingerprint, long at) {
    }

    static long fingerprint(String pairIdHex) {
        return Long.parseUnsignedLong(pairIdHex, 0, 16, 16);
    }

    /** When the pair with this id was emitted within (now - retention, now], or -1. */
    long emittedAt(String pairIdHex, long now, long retention) {
        long fp = fingerprint(pairIdHex);
        for (Emitted e : emitted) {
            if (e.fingerprint() == fp && live(e.at(), now, retention)) {
                return e.at();
            }
        }
        return -1;
    }

    /** Pairs counted by the live counter, or 0 if it has run out (a new one would start now). */
    int livePairCount(long now, long retention) {
        return counterPairs > 0 && live(counterStart, now, retention) ? counterPairs : 0;
    }

    /** When the live counter started, or {@code now} for a new one. */
    long liveCounterStart(long now, long retention) {
        return livePairCount(now, retention) > 0 ? counterStart : now;
    }

    /** The same as RecentValues' rule, to the millisecond: recorded at t, remembered while t > now - retention. */
    static boolean live(long at, long now, long retention) {
        return at > now - retention && at <= now;
    }

    /** This state with newly emitted pairs counted and remembered. */
    KeyState withPairs(List<String> pairIds, long now, long retention) {
        if (pairIds.isEmpty()) {
            return this;
        }
        List<Emitted> e = new ArrayList<>(emitted.size() + pairIds.size());
        e.addAll(emitted);
        for (String id : pairIds) {
            e.add(new Emitted(fingerprint(id), now));
        }
        return new KeyState(liveCounterStart(now, retention), livePairCount(now, retention) + pairIds.size(), e, held);
    }

    KeyState withHeld(List<HeldRating> ratings) {
        return new KeyState(counterStart, counterPairs, emitted, List.copyOf(ratings));
    }

    /** Without what stream time {@code now} has made irrelevant (forgotten pairs, a run-out counter). */
    KeyState pruned(long now, long retention) {
        List<Emitted> e = emitted;
        if (!e.isEmpty() && !live(e.get(0).at(), now, retention)) {
            e = emitted.stream().filter(x -> live(x.at(), now, retention)).toList();
        }
        int pairs = livePairCount(now, retention);
        return new KeyState(pairs > 0 ? counterStart : 0, pairs, e, held);
    }

    boolean isEmpty() {
        return held.isEmpty() && emitted.isEmpty() && counterPairs == 0;
    }

    /**
     * The earliest stream time at which this state changes without any input: a held rating expires, or (with no
     * ratings held) its remembered pairs and counter are all forgotten and the value can go. Long.MAX_VALUE: never.
     */
    long nextDue(long retention) {
        long due = Long.MAX_VALUE;
        for (HeldRating h : held) {
            due = Math.min(due, h.expiresAt() + 1);
        }
        if (due != Long.MAX_VALUE) {
            return due;
        }
        long last = counterPairs > 0 ? counterStart : Long.MIN_VALUE;
        for (Emitted e : emitted) {
            last = Math.max(last, e.at());
        }
        return last == Long.MIN_VALUE ? Long.MAX_VALUE : last + retention;
    }
}
