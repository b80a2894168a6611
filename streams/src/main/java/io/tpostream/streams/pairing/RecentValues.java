package io.tpostream.streams.pairing;

import org.apache.kafka.streams.state.WindowStore;

import java.util.Optional;

/**
 * "Remember this value for a key for a while", in stream time, over a window store: each entry carries the exact
 * time it was recorded, and sits at the start of its time slot (half a retention wide). A lookup is then at most
 * {@value #SLOTS_PER_RETENTION} + 1 point reads, one per slot that may hold a live entry, newest first; a range fetch
 * would open an iterator on every segment it touches, which measured as the most expensive part of de-duplication
 * and pairing. Forgetting stays free: the store drops whole segments once they are older than retention plus one
 * slot.
 *
 * <p>"Live" is exact, whatever the slot width: an entry recorded at {@code t} is found while
 * {@code t > now - retention}.
 */
final class RecentValues<V> {

    /** Slots per retention: more means fewer dead entries kept, and more reads per lookup. */
    static final int SLOTS_PER_RETENTION = 2;

    private final WindowStore<String, Stamped<V>> store;
    private final long retention;
    private final long slot;

    RecentValues(WindowStore<String, Stamped<V>> store, long retentionMillis) {
        this.store = store;
        this.retention = retentionMillis;
        this.slot = slotMillis(retentionMillis);
    }

    /** Width of a slot: also the store's window size; the store must keep retention + slot. */
    static long slotMillis(long retentionMillis) {
        return Math.max(1, retentionMillis / SLOTS_PER_RETENTION);
    }

    /** Records the value at {@code time}, replacing whatever the key had in the same slot. */
    void put(String key, V value, long time) {
        store.put(key, new Stamped<>(time, value), slotStart(time));
    }

    /** The newest value recorded for the key within (now - retention, now], if any. */
    Optional<Stamped<V>> latest(String key, long now) {
        long oldestLive = now - retention + 1;
        for (long s = slotStart(now); s >= 0 && s + slot > oldestLive; s -= slot) {
            Stamped<V> found = store.fetch(key, s);
            if (found != null && found.time() >= oldestLive && found.time() <= now) {
                return Optional.of(found);
            }
        }
        return Optional.empty();
    }

    /** Recorded at {@code at}, remembered at {@code now}: while at > now - retention (and not in the future). */
    static boolean live(long at, long now, long retention) {
        return at > now - retention && at <= now;
    }

    private long slotStart(long time) {
        return time - Math.floorMod(time, slot);
    }
}
