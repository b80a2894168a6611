package io.tpostream.streams.pairing;

import org.apache.kafka.common.utils.Bytes;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.TreeSet;

/**
 * Which keys need attention at which stream time, ordered by that time, so the expiry punctuator touches only the
 * keys that are due instead of scanning the store. It lives on the heap and is rebuilt from the store when a task
 * starts: it is derived from the values (see {@link KeyState#nextDue}), so it needs no changelog of its own and
 * costs no writes. One entry per key with anything to forget.
 */
final class ExpiryIndex {

    private record Entry(long due, Bytes key) implements Comparable<Entry> {
        @Override
        public int compareTo(Entry o) {
            int c = Long.compare(due, o.due);
            return c != 0 ? c : key.compareTo(o.key);
        }
    }

    private final NavigableSet<Entry> byTime = new TreeSet<>();
    private final Map<Bytes, Long> dueOf = new HashMap<>();

    /** Sets (or, with Long.MAX_VALUE, clears) the time the key is due. */
    void schedule(Bytes key, long due) {
        Long old = due == Long.MAX_VALUE ? dueOf.remove(key) : dueOf.put(key, due);
        if (old != null) {
            if (old == due) {
                return;
            }
            byTime.remove(new Entry(old, key));
        }
        if (due != Long.MAX_VALUE) {
            byTime.add(new Entry(due, key));
        }
    }

    /** The keys due at or before {@code streamTime}, earliest first; they stay scheduled until rescheduled. */
    List<Bytes> due(long streamTime) {
        List<Bytes> out = new ArrayList<>();
        for (Entry e : byTime) {
            if (e.due > streamTime) {
                break;
            }
            out.add(e.key);
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
}
