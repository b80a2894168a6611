package io.tpostream.streams.pairing;

import io.tpostream.schema.Sha256;
import io.tpostream.streams.PairingConfig;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.state.KeyValueBytesStoreSupplier;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.apache.kafka.streams.state.ReadOnlyWindowStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.WindowBytesStoreSupplier;
import org.apache.kafka.streams.state.WindowStore;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The state of the pairing topology: names, key layouts and store definitions in one place. All stores are
 * changelogged, so a restarted or migrated task resumes with the same memory; they live in RocksDB or on the heap as
 * {@link PairingConfig#storeType()} says.
 *
 * <p>Every store is read by point lookups only, never scanned while records flow. What each (image, prompt) key
 * decides by is one {@link KeyState}, with record caching on, so the writes of a busy key between two commits reach
 * the changelog once. What is written once and only read back later (accepted event ids, emitted pair ids, the
 * content of a held rating) lives in window stores without a cache, which forget by dropping whole segments: nothing
 * is deleted one by one, so forgetting writes no tombstones.
 */
public final class PairingStores {

    /** event id -> when and at which offset it was accepted; {@link RecentIds} over dedupRetention */
    public static final String SEEN_EVENTS = "recent-event-ids";
    /** pair id (first 64 bits, hex) -> when and for which offset it was emitted; {@link RecentIds}, pairRetention */
    public static final String EMITTED_PAIRS = "recent-pair-ids";
    /** pairing key (32 bytes) -> {@link KeyState} */
    public static final String KEYS = "pairing-keys";
    /**
     * pairing key (32 bytes) + event id hash (8 bytes), at the rating's record timestamp -> {@link HeldRating}:
     * written once, read by that exact key and time, dropped with its segment
     */
    public static final String HELD_RATINGS = "held-rating-content";
    /** {@link #LAST_SWEEP} -> the stream time up to which expired ratings have been accounted for */
    public static final String PROGRESS = "pairing-progress";
    static final String LAST_SWEEP = "last-expiry-sweep";

    private PairingStores() {
    }

    static StoreBuilder<WindowStore<String, RecentIds.Sighting>> seenEvents(PairingConfig c) {
        return recentIds(c, SEEN_EVENTS, c.dedupRetention());
    }

    static StoreBuilder<WindowStore<String, RecentIds.Sighting>> emittedPairs(PairingConfig c) {
        return recentIds(c, EMITTED_PAIRS, c.pairRetention());
    }

    static StoreBuilder<KeyValueStore<Bytes, KeyState>> keys(PairingConfig c) {
        return Stores.keyValueStoreBuilder(keyValue(c, KEYS), Serdes.Bytes(), StateCodec.keyStateSerde())
                .withCachingEnabled();
    }

    /**
     * Kept for at least twice the time a rating is held: the sweep that accounts for an unpaired rating reads its
     * content before the record that moved stream time past its expiry writes anything, so one hold would do. The
     * store drops a segment every half of that; an hour at least, so that a benchmark replaying hours of stream time
     * in a minute does not open and close a RocksDB instance every few seconds (in production one every half hour
     * costs nothing).
     */
    static StoreBuilder<WindowStore<Bytes, HeldRating>> heldRatings(PairingConfig c) {
        Duration kept = Duration.ofMillis(Math.max(2 * c.ratingHoldMillis() + 2, Duration.ofHours(1).toMillis()));
        return Stores.windowStoreBuilder(window(c, HELD_RATINGS, kept, Duration.ofMillis(1)), Serdes.Bytes(),
                StateCodec.heldRatingSerde());
    }

    static StoreBuilder<KeyValueStore<String, Long>> progress(PairingConfig c) {
        return Stores.keyValueStoreBuilder(keyValue(c, PROGRESS), Serdes.String(), Serdes.Long())
                .withCachingEnabled();
    }

    private static KeyValueBytesStoreSupplier keyValue(PairingConfig c, String name) {
        return switch (c.storeType()) {
            case ROCKSDB -> Stores.persistentKeyValueStore(name);
            case IN_MEMORY -> Stores.inMemoryKeyValueStore(name);
        };
    }

    /** Windows one slot (a retention) wide, one entry per id and slot. */
    private static StoreBuilder<WindowStore<String, RecentIds.Sighting>> recentIds(PairingConfig c, String name,
                                                                       Duration retention) {
        Duration kept = Duration.ofMillis(RecentIds.keptMillis(retention.toMillis()));
        return Stores.windowStoreBuilder(window(c, name, kept, retention), Serdes.String(),
                StateCodec.sightingSerde());
    }

    private static WindowBytesStoreSupplier window(PairingConfig c, String name, Duration kept, Duration size) {
        return switch (c.storeType()) {
            case ROCKSDB -> Stores.persistentWindowStore(name, kept, size, false);
            case IN_MEMORY -> Stores.inMemoryWindowStore(name, kept, size, false);
        };
    }

    /**
     * The identity of an (image, prompt) pairing key: sha-256 of both, NUL-separated, as 32 raw bytes. Fixed and
     * short even for long prompts; the prompt and sha themselves arrive with every record of the key.
     */
    public static Bytes pairingKey(String imageSha256, String prompt) {
        MessageDigest d = Sha256.newDigest();
        d.update(imageSha256.getBytes(StandardCharsets.UTF_8));
        d.update((byte) 0);
        d.update(prompt.getBytes(StandardCharsets.UTF_8));
        d.update((byte) 0);
        return Bytes.wrap(d.digest());
    }

    /** Where a held rating's content is: its key, then the hash of its event id (at the rating's timestamp). */
    static Bytes heldKey(Bytes pairingKey, long idHash) {
        return Bytes.wrap(ByteBuffer.allocate(pairingKey.get().length + Long.BYTES).put(pairingKey.get())
                .putLong(idHash).array());
    }

    /**
     * The key of the {@link #EMITTED_PAIRS} store for a pair id: its first 64 bits. They only have to tell apart
     * the pairs emitted within pairRetention in one task; at a million of them a collision has odds of about
     * 2^-25, and it would suppress one pair as a repeat.
     */
    static String emittedKey(String pairIdHex) {
        return pairIdHex.substring(0, 16);
    }

    /**
     * The ratings held in a task's stores, by event id, and whether each has paired: for tests and tools that read
     * the stores directly (values as the stores hand them out). A rating whose expiry has been accounted for may
     * still be in its key's value until the key is written again; it is left out.
     */
    public static Map<String, Boolean> held(ReadOnlyKeyValueStore<Bytes, ?> keys,
                                            ReadOnlyWindowStore<Bytes, ?> contents,
                                            ReadOnlyKeyValueStore<String, ?> progress, long holdMillis) {
        Object swept = progress.get(LAST_SWEEP);
        long streamTime = swept == null ? Long.MIN_VALUE : (Long) swept;
        Map<String, Boolean> out = new TreeMap<>();
        try (KeyValueIterator<Bytes, ?> it = keys.all()) {
            it.forEachRemaining(kv -> {
                for (KeyState.Slot slot : ((KeyState) kv.value).held()) {
                    if (slot.expiredAt(streamTime, holdMillis)) {
                        continue;
                    }
                    HeldRating h = (HeldRating) contents.fetch(heldKey(kv.key, slot.idHash()), slot.timestamp());
                    out.put(h == null ? "?" + Long.toHexString(slot.idHash()) : h.eventId(), slot.paired());
                }
            });
        }
        return out;
    }

    /** A value of the {@link #KEYS} store holding one unpaired rating: for tests that set up state by hand. */
    public static Object stateHolding(String eventId, long timestamp, double rating, String response) {
        return KeyState.EMPTY.withHeld(List.of(KeyState.Slot.of(eventId, timestamp, rating, response, false)));
    }
}
