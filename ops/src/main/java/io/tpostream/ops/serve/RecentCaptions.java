package io.tpostream.ops.serve;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The captions the service wrote lately, by caption id, so that feedback on one can be stamped with what was really
 * shown (image, prompt, caption, and the model version that wrote it) instead of what a client claims. Bounded by
 * the bytes it holds: the oldest captions are forgotten first. Thread-safe.
 */
final class RecentCaptions {

    /** A caption as it was served. */
    record Shown(String captionId, byte[] image, String imageSha256, String mediaType, int width, int height,
                 String prompt, String caption, String modelName, long modelVersion) {
        long bytes() {
            return image.length + 2L * (captionId.length() + prompt.length() + caption.length() + modelName.length())
                    + 128;
        }
    }

    private final long maxBytes;
    private final LinkedHashMap<String, Shown> byId = new LinkedHashMap<>(16, 0.75f, false);
    private long bytes;

    RecentCaptions(long maxBytes) {
        this.maxBytes = maxBytes;
    }

    synchronized void add(Shown shown) {
        Shown previous = byId.put(shown.captionId(), shown);
        if (previous != null) {
            bytes -= previous.bytes();
        }
        bytes += shown.bytes();
        Iterator<Map.Entry<String, Shown>> oldest = byId.entrySet().iterator();
        while (bytes > maxBytes && oldest.hasNext()) {
            bytes -= oldest.next().getValue().bytes();
            oldest.remove();
        }
    }

    synchronized Optional<Shown> get(String captionId) {
        return Optional.ofNullable(byId.get(captionId));
    }

    synchronized int size() {
        return byId.size();
    }
}
