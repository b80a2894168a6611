package io.tpostream.streams.validation;

import io.tpostream.schema.ImageProbe;
import io.tpostream.schema.Sha256;
import io.tpostream.streams.RejectReason;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Checks inline image bytes before anyone trains on them: size, integrity against the declared sha-256, and that
 * they decode. Pure apart from CPU: reads only the given bytes, never a file or the network.
 */
final class ImageInspector {

    /** How many verified images to remember; a few hundred KiB of hex digests. */
    static final int VERIFIED_CACHE_SIZE = 2048;

    private final int maxImageBytes;
    private final long maxImagePixels;
    /**
     * Digests of images that passed every check, most recently used last. Feedback about one image tends to come in
     * bursts (many users rate the same caption), and decoding is by far the most expensive check, so an image whose
     * bytes hash to a digest in here is not decoded again: equal digests mean equal bytes, which decode the same.
     */
    private final Map<String, Boolean> verified = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
            return size() > VERIFIED_CACHE_SIZE;
        }
    };

    ImageInspector(int maxImageBytes, long maxImagePixels) {
        this.maxImageBytes = maxImageBytes;
        this.maxImagePixels = maxImagePixels;
    }

    /** The reason to refuse these bytes, or empty if they are a decodable image of the declared hash. */
    Optional<Rejection> inspect(byte[] bytes, String declaredSha256) {
        if (bytes.length > maxImageBytes) {
            return reject(RejectReason.IMAGE_TOO_LARGE, "inline image is " + bytes.length
                    + " bytes, more than maxImageBytes " + maxImageBytes);
        }
        String actual = Sha256.hex(bytes);
        if (!actual.equals(declaredSha256)) {
            return reject(RejectReason.IMAGE_SHA_MISMATCH, "inline image bytes hash to " + actual
                    + " but the event declares " + declaredSha256 + " (bytes altered, or the wrong image attached)");
        }
        if (verified.containsKey(actual)) {
            return Optional.empty();
        }
        Optional<Rejection> verdict = decode(bytes);
        if (verdict.isEmpty()) {
            verified.put(actual, Boolean.TRUE);
        }
        return verdict;
    }

    /** Reads the header, then the pixels: the checks only the decoder can make. */
    private Optional<Rejection> decode(byte[] bytes) {
        try {
            ImageProbe.decode(bytes, maxImagePixels);
            return Optional.empty();
        } catch (ImageProbe.TooManyPixelsException e) {
            return reject(RejectReason.IMAGE_TOO_LARGE, "inline image header declares " + e.getMessage()
                    + " (maxImagePixels); refused without decoding");
        } catch (IllegalArgumentException e) {
            return reject(RejectReason.IMAGE_UNDECODABLE, "inline image is " + e.getMessage());
        }
    }

    private static Optional<Rejection> reject(RejectReason reason, String detail) {
        return Optional.of(new Rejection(reason, detail));
    }
}
