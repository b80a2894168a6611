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

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;

/**
 * The state of the pairing topology: names, key layouts and store definitions in one place. All stores are
 * changelogged, so a restarted or migrated task resumes with the same memory; they live in RocksDB or on the heap
 * as {@link PairingConfig#storeType()} says.
 *
 * <p>Whatever only needs to be remembered for a while lives in a window store: its retention drops whole
 * segments at once, so forgetting costs nothing per entry. Held ratings need an action when they expire (a dead
 * letter if they never paired), so they live in key-value stores plus a time-ordered index that a punctuator
 * walks from the oldest end.
 */
public final class PairingStores {

    /** event id -> when and where it was accepted; {@link RecentValues} over dedupRetention */
    public static final String SEEN_EVENTS = "seen-event-ids";
    /** pair id -> when, and the event ids that made it; {@link RecentValues} over pairRetention */
    public static final String EMITTED_PAIRS = "emitted-pair-ids";
    /** pairing key -> when its counter started, and the pairs emitted since; {@link RecentValues} over pairRetention */
    public static final String PAIR_COUNTS = "pair-counters";
    /** pairing key + event id -> {@link HeldRating}; scanned by pairing-key prefix */
    public static final String HELD_RATINGS = "held-ratings";
    /** expiry time (8 bytes, big-endian) + held key -> {@link HeldSource}; scanned in time order to expire */
    public static final String HELD_SOURCES = "held-rating-sources";

    private PairingStores() {
    }

    static StoreBuilder<WindowStore<String, Stamped<String>>> seenEvents(PairingConfig c) {
        return Stores.windowStoreBuilder(recent(c, SEEN_EVENTS, c.dedupRetention()), Serdes.String(),
                StateCodec.stampedSerde(Serdes.String()));
    }

    static StoreBuilder<WindowStore<String, Stamped<String>>> emittedPairs(PairingConfig c) {
        return Stores.windowStoreBuilder(recent(c, EMITTED_PAIRS, c.pairRetention()), Serdes.String(),
                StateCodec.stampedSerde(Serdes.String()));
    }

    static StoreBuilder<WindowStore<String, Stamped<Integer>>> pairCounts(PairingConfig c) {
        return Stores.windowStoreBuilder(recent(c, PAIR_COUNTS, c.pairRetention()), Serdes.String(),
                StateCodec.stampedSerde(Serdes.Integer()));
    }

    static StoreBuilder<KeyValueStore<String, HeldRating>> heldRatings(PairingConfig c) {
        return Stores.keyValueStoreBuilder(keyValue(c, HELD_RATINGS), Serdes.String(), StateCodec.heldRatingSerde());
    }

    static StoreBuilder<KeyValueStore<Bytes, HeldSource>> heldSources(PairingConfig c) {
        return Stores.keyValueStoreBuilder(keyValue(c, HELD_SOURCES), Serdes.Bytes(), StateCodec.heldSourceSerde());
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

    private static KeyValueBytesStoreSupplier keyValue(PairingConfig c, String name) {
        return switch (c.storeType()) {
            case ROCKSDB -> Stores.persistentKeyValueStore(name);
            case IN_MEMORY -> Stores.inMemoryKeyValueStore(name);
        };
    }

    /**
     * The identity of an (image, prompt) pairing key: sha-256 of both, NUL-separated. Fixed length (64 hex), so it
     * works as a prefix of the held-rating keys, and short even for long prompts.
     */
    public static String pairingKey(String imageSha256, String prompt) {
        MessageDigest d = Sha256.newDigest();
        d.update(imageSha256.getBytes(StandardCharsets.UTF_8));
        d.update((byte) 0);
        d.update(prompt.getBytes(StandardCharsets.UTF_8));
        d.update((byte) 0);
        return Sha256.hex(d);
    }

    static String heldKey(String pairingKey, String eventId) {
        return pairingKey + eventId;
    }

    /** Big-endian time first: byte order is time order (timestamps are never negative in Kafka). */
    static Bytes expiryKey(long expiresAt, String heldKey) {
        byte[] held = heldKey.getBytes(StandardCharsets.UTF_8);
        return Bytes.wrap(ByteBuffer.allocate(Long.BYTES + held.length).putLong(expiresAt).put(held).array());
    }

    /**
     * As an upper bound (inclusive): the range ends with the entries expiring before {@code time}. As a lower
     * bound: the range starts with the entries expiring at {@code time}.
     */
    static Bytes expiringBefore(long time) {
        return Bytes.wrap(ByteBuffer.allocate(Long.BYTES).putLong(time).array());
    }

    static long expiryTimeOf(Bytes expiryKey) {
        return ByteBuffer.wrap(expiryKey.get()).getLong();
    }

    static String heldKeyOf(Bytes expiryKey) {
        byte[] k = expiryKey.get();
        return new String(k, Long.BYTES, k.length - Long.BYTES, StandardCharsets.UTF_8);
    }
}
