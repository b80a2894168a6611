package io.tpostream.streams.pairing;

import io.tpostream.schema.Sha256;
import io.tpostream.streams.PairingConfig;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.state.KeyValueBytesStoreSupplier;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.WindowBytesStoreSupplier;
import org.apache.kafka.streams.state.WindowStore;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.List;

/**
 * The state of the pairing topology: names, key layouts and store definitions in one place. Both stores are
 * changelogged, so a restarted or migrated task resumes with the same memory, and both have record caching on, so
 * repeated writes of a key between two commits reach the changelog once; they live in RocksDB or on the heap as
 * {@link PairingConfig#storeType()} says.
 *
 * <p>Two stores, because two things are remembered: which event ids were accepted (per event, across keys, for
 * dedupRetention: a window store, which forgets by dropping whole segments), and what each (image, prompt) key
 * holds (one compact {@link KeyState}: held ratings, emitted pair fingerprints, pair counter). Expiry is driven by
 * an {@link ExpiryIndex} on the heap, rebuilt from the key store when a task starts.
 */
public final class PairingStores {

    /** event id -> when and where it was accepted; {@link RecentValues} over dedupRetention */
    public static final String SEEN_EVENTS = "seen-event-ids";
    /** pairing key (32 bytes) -> {@link KeyState} */
    public static final String KEYS = "pairing-keys";

    private PairingStores() {
    }

    static StoreBuilder<WindowStore<String, Stamped<String>>> seenEvents(PairingConfig c) {
        return Stores.windowStoreBuilder(recent(c, SEEN_EVENTS, c.dedupRetention()), Serdes.String(),
                StateCodec.stampedSerde(Serdes.String())).withCachingEnabled();
    }

    static StoreBuilder<KeyValueStore<Bytes, KeyState>> keys(PairingConfig c) {
        KeyValueBytesStoreSupplier supplier = switch (c.storeType()) {
            case ROCKSDB -> Stores.persistentKeyValueStore(KEYS);
            case IN_MEMORY -> Stores.inMemoryKeyValueStore(KEYS);
        };
        return Stores.keyValueStoreBuilder(supplier, Serdes.Bytes(), StateCodec.keyStateSerde()).withCachingEnabled();
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

    /** The ratings a value of the {@link #KEYS} store holds: for tests and tools that read the store directly. */
    public static List<HeldRating> heldRatings(Object keyStateValue) {
        return ((KeyState) keyStateValue).held();
    }

    /** A value of the {@link #KEYS} store holding just these ratings: for tests that set up state by hand. */
    public static Object stateHolding(List<HeldRating> held) {
        return KeyState.EMPTY.withHeld(held);
    }
}
