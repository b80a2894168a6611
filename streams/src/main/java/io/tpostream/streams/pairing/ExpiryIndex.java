package io.tpostream.streams.pairing;

import org.apache.kafka.common.utils.Bytes;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * Which keys need attention at which stream time, so the expiry sweep touches only the keys that are due instead of
 * scanning the store. It lives on the heap and is rebuilt from the store when a task starts: it is derived from the
 * values (see {@link KeyState#nextDue}), so it needs no changelog of its own and costs no writes. One live entry per
 * key with anything left to account for.
 *
 * <p>A queue ordered by time alone, with lazy removal: rescheduling a key adds an entry and leaves the old one to be
 * skipped when it comes up, so the hot path (a write per record) compares longs, never keys. Stale entries are
 * dropped when they reach the head, or all at once when they outnumber the live ones.
 */
final class ExpiryIndex {

    private record Entry(long due, Bytes key) {
    }

    private final PriorityQueue<Entry> byTime = new PriorityQueue<>((a, b) -> Long.compare(a.due, b.due));
    private final Map<Bytes, Long> dueOf = new HashMap<>();

    /** Sets (or, with Long.MAX_VALUE, clears) the time the key is due. */
    void schedule(Bytes key, long due) {
        Long old = due == Long.MAX_VALUE ? dueOf.remove(key) : dueOf.put(key, due);
        if (due == Long.MAX_VALUE || (old != null && old == due)) {
            return;
        }
        byTime.add(new Entry(due, key));
        if (byTime.size() > 2 * dueOf.size() + 1024) {
            compact();
        }
    }

    /** The keys due at or before {@code streamTime}, earliest first; each must be rescheduled (or cleared). */
    List<Bytes> due(long streamTime) {
        List<Bytes> out = new ArrayList<>();
        while (!byTime.isEmpty() && byTime.peek().due <= streamTime) {
            Entry e = byTime.poll();
            Long current = dueOf.get(e.key);
            if (current != null && current == e.due) {
                out.add(e.key);
                dueOf.remove(e.key);
            }
        }
        return out;
    }

    int size() {
        return dueOf.size();
    }

    void clear() {
        byTime.clear();
        dueOf.clear();
    }

    private void compact() {
        byTime.clear();
        dueOf.forEach((key, due) -> byTime.add(new Entry(due, key)));
    }
}
