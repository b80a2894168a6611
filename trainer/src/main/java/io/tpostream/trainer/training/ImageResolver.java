package io.tpostream.trainer.training;

import io.tpostream.schema.ImageRef;
import io.tpostream.schema.Sha256;
import io.tpostream.trainer.image.RgbImage;

import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Turns a pair's image reference into pixels: the inline bytes, or a {@code file:} URI. Either way the bytes must
 * hash to the recorded SHA-256, so a pair trains on exactly the image the user judged.
 */
public final class ImageResolver {

    private final long maxBytes;

    public ImageResolver(long maxBytes) {
        this.maxBytes = maxBytes;
    }

    /** Why an image could not be used; the trainer quarantines the pair with this reason. */
    public static final class UnresolvableImageException extends Exception {
        private final String reason;

        UnresolvableImageException(String reason, String message) {
            super(message);
            this.reason = reason;
        }

        public String reason() {
            return reason;
        }
    }

    public RgbImage resolve(ImageRef ref) throws UnresolvableImageException {
        byte[] bytes = bytesOf(ref);
        String actual = Sha256.hex(bytes);
        if (!actual.equals(ref.getSha256())) {
            throw new UnresolvableImageException("IMAGE_SHA_MISMATCH", "image bytes hash to " + actual
                    + " but the pair records " + ref.getSha256());
        }
        try {
            return RgbImage.decode(bytes);
        } catch (IllegalArgumentException e) {
            throw new UnresolvableImageException("IMAGE_UNDECODABLE", e.getMessage());
        }
    }

    private byte[] bytesOf(ImageRef ref) throws UnresolvableImageException {
        ByteBuffer inline = ref.getBytes();
        if (inline != null) {
            ByteBuffer copy = inline.duplicate();
            byte[] bytes = new byte[copy.remaining()];
            copy.get(bytes);
            return bytes;
        }
        String uri = ref.getUri();
        if (uri == null || !uri.startsWith("file:")) {
            throw new UnresolvableImageException("IMAGE_UNRESOLVABLE", "image " + ref.getSha256()
                    + " has no inline bytes and no file: URI (" + uri + "); this trainer reads only local files");
        }
        try {
            Path path = Path.of(URI.create(uri));
            if (Files.size(path) > maxBytes) {
                throw new UnresolvableImageException("IMAGE_TOO_LARGE", uri + " is larger than " + maxBytes + " bytes");
            }
            return Files.readAllBytes(path);
        } catch (IOException | IllegalArgumentException e) {
            throw new UnresolvableImageException("IMAGE_UNRESOLVABLE", "cannot read " + uri + ": " + e.getMessage());
        }
    }
}
