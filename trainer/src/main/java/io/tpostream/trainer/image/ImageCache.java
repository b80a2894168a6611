package io.tpostream.trainer.image;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Fetched images by their sha-256, least recently used dropped first, within a budget of bytes. Only bytes that
 * hash to their key may enter (the caller verified them), so a hit is as good as a fetch and needs no network.
 * Thread-safe; the arrays are kept and handed out as they are, so nobody may write into them.
 */
public final class ImageCache {

    private final long capacityBytes;
    private final LinkedHashMap<String, byte[]> bySha = new LinkedHashMap<>(16, 0.75f, true);
    private long heldBytes;

    /** @param capacityBytes total size of the images kept; an image larger than this is not kept */
    public ImageCache(long capacityBytes) {
        this.capacityBytes = capacityBytes;
    }

    public synchronized Optional<byte[]> get(String sha256) {
        return Optional.ofNullable(bySha.get(sha256));
    }

    /** Keeps verified bytes, dropping the least recently used images until they fit. */
    public synchronized void put(String sha256, byte[] verified) {
        if (verified.length > capacityBytes || bySha.containsKey(sha256)) {
            return;
        }
        Iterator<Map.Entry<String, byte[]>> eldest = bySha.entrySet().iterator();
        while (heldBytes + verified.length > capacityBytes) {
            heldBytes -= eldest.next().getValue().length;
            eldest.remove();
        }
        bySha.put(sha256, verified);
        heldBytes += verified.length;
    }

    public synchronized long heldBytes() {
        return heldBytes;
    }

    public synchronized int size() {
        return bySha.size();
    }
}
