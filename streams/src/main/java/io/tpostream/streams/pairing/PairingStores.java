package io.tpostream.streams.pairing;

import io.tpostream.schema.Sha256;
import io.tpostream.streams.PairingConfig;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.state.KeyValueBytesStoreSupplier;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
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
 * changelogged, so a restarted or migrated task resumes with the same memory, and all have record caching on, so
 * repeated writes of a key between two commits reach the changelog once; they live in RocksDB or on the heap as
 * {@link PairingConfig#storeType()} says.
 *
 * <p>Every store is read by point lookups only, never scanned while records flow. What only needs remembering for a
 * while (accepted event ids, emitted pair ids) lives in window stores, which forget by dropping whole segments. What
 * each (image, prompt) key decides by is one small {@link KeyState}; the content of its held ratings is written once
 * per rating beside it. Expiry is driven by an {@link ExpiryIndex} on the heap, rebuilt from the key store when a
 * task starts.
 */
public final class PairingStores {

    /** event id -> when and where it was accepted; {@link RecentValues} over dedupRetention */
    public static final String SEEN_EVENTS = "seen-event-ids";
    /** pair id (its first 64 bits, hex) -> when it was emitted; {@link RecentValues} over pairRetention */
    public static final String EMITTED_PAIRS = "emitted-pairs";
    /** pairing key (32 bytes) -> {@link KeyState} */
    public static final String KEYS = "pairing-keys";
    /** pairing key (32 bytes) + event id hash (8 bytes) -> {@link HeldRating}, written once, deleted at expiry */
    public static final String HELD_RATINGS = "held-rating-content";

    private PairingStores() {
    }

    static StoreBuilder<WindowStore<String, Stamped<String>>> seenEvents(PairingConfig c) {
        return Stores.windowStoreBuilder(recent(c, SEEN_EVENTS, c.dedupRetention()), Serdes.String(),
                StateCodec.stampedSerde(Serdes.String())).withCachingEnabled();
    }

    static StoreBuilder<WindowStore<String, Stamped<String>>> emittedPairs(PairingConfig c) {
        return Stores.windowStoreBuilder(recent(c, EMITTED_PAIRS, c.pairRetention()), Serdes.String(),
                StateCodec.stampedSerde(Serdes.String())).withCachingEnabled();
    }

    static StoreBuilder<KeyValueStore<Bytes, KeyState>> keys(PairingConfig c) {
        return Stores.keyValueStoreBuilder(keyValue(c, KEYS), Serdes.Bytes(), StateCodec.keyStateSerde())
                .withCachingEnabled();
    }

    static StoreBuilder<KeyValueStore<Bytes, HeldRating>> heldRatings(PairingConfig c) {
        return Stores.keyValueStoreBuilder(keyValue(c, HELD_RATINGS), Serdes.Bytes(), StateCodec.heldRatingSerde())
                .withCachingEnabled();
    }

    private static KeyValueBytesStoreSupplier keyValue(PairingConfig c, String name) {
        return switch (c.storeType()) {
            case ROCKSDB -> Stores.persistentKeyValueStore(name);
            case IN_MEMORY -> Stores.inMemoryKeyValueStore(name);
        };
    }

    /**
     * The window store under a {@link RecentValues}: windows one slot wide, one entry per key and slot (no
     * duplicates), kept for the retention plus one slot so that the oldest slot with a live entry is still there.
     */
    private static WindowBytesStoreSupplier recent(PairingConfig c, String name, Duration retention) {
        Duration slot = Duration.ofMillis(RecentValues.slotMillis(retention.toMillis()));
        Duration kept = retention.plus(slot);
        return switch (c.storeType()) {
            case ROCKSDB -> Stores.persistentWindowStore(name, kept, slot, false);
            case IN_MEMORY -> Stores.inMemoryWindowStore(name, kept, slot, false);
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

    /** Where a held rating's content is: its key, then the hash of its event id. */
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
     * the stores directly (values as the stores hand them out).
     */
    public static Map<String, Boolean> held(ReadOnlyKeyValueStore<Bytes, ?> keys,
                                            ReadOnlyKeyValueStore<Bytes, ?> contents) {
        Map<String, Boolean> out = new TreeMap<>();
        try (KeyValueIterator<Bytes, ?> it = keys.all()) {
            it.forEachRemaining(kv -> {
                for (KeyState.Slot slot : ((KeyState) kv.value).held()) {
                    HeldRating h = (HeldRating) contents.get(heldKey(kv.key, slot.idHash()));
                    out.put(h == null ? "?" + Long.toHexString(slot.idHash()) : h.eventId(), slot.paired());
                }
            });
        }
        return out;
    }

    /** A value of the {@link #KEYS} store holding one unpaired rating: for tests that set up state by hand. */
    public static Object stateHolding(String eventId, long timestamp, double rating, String response) {
        return KeyState.EMPTY.withHeld(List.of(new KeyState.Slot(KeyState.hash(eventId), timestamp, rating,
                KeyState.hash(response.strip()), false)));
    }
}
