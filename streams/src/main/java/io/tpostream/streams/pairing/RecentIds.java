package io.tpostream.streams.pairing;

import org.apache.kafka.streams.state.WindowStore;

/**
 * "Remember that an id was seen, when and at which input offset, for a while", in stream time, over a window store:
 * each entry carries the exact time it was recorded and is filed under the start of its time slot, one retention
 * wide. An id recorded at {@code t} is live while {@code t > now - retention}, so a lookup reads at most two slots,
 * the current one and the one before, by point reads; a range fetch would open an iterator on every segment it
 * touches, which measured as the most expensive part of de-duplication. Forgetting is free: the store drops whole
 * segments once they are older than two retentions.
 *
 * <p>The store has no record cache: its keys (event ids, pair ids) are written once, so a cache would fold nothing
 * and cost a lookup and a copy per read and write.
 */
final class RecentIds {

    /**
     * When and where an id was seen: the stream time, and the offset of the input record, in the partition of the
     * task that remembers it (the input is keyed by image, so every copy of an event, and every record of a pair,
     * is read from one partition).
     */
    record Sighting(long time, long offset) {
    }

    /** What the store keeps: the retention, plus the slot an entry sits in. */
    static long keptMillis(long retentionMillis) {
        return 2 * retentionMillis;
    }

    private final WindowStore<String, Sighting> store;
    private final long retention;

    RecentIds(WindowStore<String, Sighting> store, long retentionMillis) {
        this.store = store;
        this.retention = retentionMillis;
    }

    /** Records the id at {@code time}, replacing whatever it had in the same slot. */
    void put(String id, long time, long offset) {
        store.put(id, new Sighting(time, offset), slotStart(time));
    }

    /** The id's latest sighting within (now - retention, now], or null. */
    Sighting latest(String id, long now) {
        long current = slotStart(now);
        for (long slot : new long[] {current, current - retention}) {
            if (slot < 0) {
                break;
            }
            Sighting found = store.fetch(id, slot);
            if (found != null && live(found.time(), now, retention)) {
                return found;
            }
        }
        return null;
    }

    /** Recorded at {@code at}, remembered at {@code now}: while at > now - retention (and not in the future). */
    static boolean live(long at, long now, long retention) {
        return at > now - retention && at <= now;
    }

    private long slotStart(long time) {
        return time - Math.floorMod(time, retention);
    }
}
