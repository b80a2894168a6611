package io.tpostream.streams.pairing;

import java.util.List;

/**
 * What the pairing rules need to decide about one (image, prompt) key, as one small store value: for each held
 * rating just what matching reads ({@link Slot}: 33 bytes), and the key's pair counter. A record of the key costs one
 * point read and at most one write of this value, whatever its kind; record caching folds the writes of a busy key
 * into one changelog record per commit. The held ratings' content (texts, source offset), what a pair or an outcome
 * is built from, is written once, when a rating starts to be held, in a store of its own
 * ({@link PairingStores#HELD_RATINGS}), and read only to build a pair or an outcome: so a key's value grows by 33
 * bytes per rating held, not with the length of their texts, and rewriting it for every record stays cheap.
 * (Measured: with the texts in this value, a key holding about two ratings wrote as many changelog bytes per input
 * event as the two stores together, and one holding ten wrote twice as many.)
 *
 * @param counterStart when the key's pair counter started (meaningless while counterPairs is 0)
 * @param counterPairs pairs counted since counterStart
 * @param held         the ratings held, in arrival order
 */
record KeyState(long counterStart, int counterPairs, List<Slot> held) {

    static final KeyState EMPTY = new KeyState(0, 0, List.of());

    /**
     * A held rating as matching sees it. Event ids and responses are compared by 64-bit hashes: a collision between
     * two of the few ratings held for one key (about 2^-60) is far below any other error rate here.
     *
     * @param idHash    {@link #hash} of the event id; with the key and the timestamp, it finds the rating's content
     * @param timestamp its record timestamp
     * @param rating    its score
     * @param textHash  {@link #hash} of the response without surrounding white space (what "same text" compares)
     * @param paired    whether it was the source of at least one emitted pair
     */
    record Slot(long idHash, long timestamp, double rating, long textHash, boolean paired) {

        boolean expiredAt(long streamTime, long holdMillis) {
            return streamTime > timestamp + holdMillis;
        }

        static Slot of(String eventId, long timestamp, double rating, String response, boolean paired) {
            return new Slot(hash(eventId), timestamp, rating, hash(response.strip()), paired);
        }

        Slot markPaired() {
            return paired ? this : new Slot(idHash, timestamp, rating, textHash, true);
        }
    }

    /** 64-bit FNV-1a over the UTF-16 code units: cheap, and well spread for ids and texts. */
    static long hash(String s) {
        long h = 0xcbf29ce484222325L;
        for (int i = 0; i < s.length(); i++) {
            h ^= s.charAt(i);
            h *= 0x100000001b3L;
        }
        return h;
    }

    /** Pairs counted by the live counter, or 0 if it has run out (a new one would start now). */
    int livePairCount(long now, long retention) {
        return counterPairs > 0 && RecentIds.live(counterStart, now, retention) ? counterPairs : 0;
    }

    /** This state with newly emitted pairs counted. */
    KeyState withPairs(int pairs, long now, long retention) {
        if (pairs == 0) {
            return this;
        }
        int live = livePairCount(now, retention);
        return new KeyState(live > 0 ? counterStart : now, live + pairs, held);
    }

    KeyState withHeld(List<Slot> slots) {
        return new KeyState(counterStart, counterPairs, List.copyOf(slots));
    }

    /** Without a counter that has run out at {@code now}. */
    KeyState pruned(long now, long retention) {
        int pairs = livePairCount(now, retention);
        return pairs == counterPairs ? this : new KeyState(pairs > 0 ? counterStart : 0, pairs, held);
    }

    boolean isEmpty() {
        return held.isEmpty() && counterPairs == 0;
    }

    /**
     * When the expiry sweep next has something to do for this key, once it has accounted for everything up to
     * {@code after}: the earliest expiry of a held rating after that time, or, with none left, when the key can be
     * forgotten (its last rating expired and its counter ran out). Long.MAX_VALUE: never (an empty state).
     */
    long nextDue(long after, long holdMillis, long retention) {
        long next = Long.MAX_VALUE;
        long last = Long.MIN_VALUE;
        for (Slot s : held) {
            long expiry = s.timestamp() + holdMillis + 1;
            last = Math.max(last, expiry);
            if (expiry > after) {
                next = Math.min(next, expiry);
            }
        }
        if (next != Long.MAX_VALUE) {
            return next;
        }
        long forgettable = counterPairs > 0 ? Math.max(last, counterStart + retention) : last;
        return forgettable == Long.MIN_VALUE ? Long.MAX_VALUE : forgettable;
    }

    /** Whether nothing of it matters any more at {@code now}: every rating expired, and the counter ran out. */
    boolean forgettableAt(long now, long holdMillis, long retention) {
        for (Slot s : held) {
            if (!s.expiredAt(now, holdMillis)) {
                return false;
            }
        }
        return livePairCount(now, retention) == 0;
    }
}
