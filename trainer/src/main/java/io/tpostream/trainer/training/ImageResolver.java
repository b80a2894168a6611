package io.tpostream.trainer.training;

import io.tpostream.schema.ImageProbe;
import io.tpostream.schema.ImageRef;
import io.tpostream.schema.Sha256;
import io.tpostream.trainer.image.HttpImageFetcher;
import io.tpostream.trainer.image.ImageCache;
import io.tpostream.trainer.image.ImageProblem;
import io.tpostream.trainer.image.ImageSources;
import io.tpostream.trainer.image.RgbImage;
import io.tpostream.trainer.image.UnusableImageException;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;

/**
 * Turns a pair's image reference into pixels: the inline bytes, a {@code file:} URI, or an {@code http(s):} URI
 * fetched within {@link ImageSources}' rules (fetched images are kept by sha-256, so each is fetched once while it
 * stays in the cache). Whatever the source, the bytes must hash to the recorded SHA-256, so a pair trains on
 * exactly the image the user judged, and the header may not declare more pixels than allowed.
 */
public final class ImageResolver {

    private final ImageSources sources;
    private final HttpImageFetcher http;
    private final ImageCache fetched;

    /** Inline images and local files only (no host is allowed), with the default limits. */
    public static ImageResolver localOnly() {
        return new ImageResolver(ImageSources.defaults());
    }

    public ImageResolver(ImageSources sources) {
        this(sources, new HttpImageFetcher(sources));
    }

    public ImageResolver(ImageSources sources, HttpImageFetcher http) {
        this.sources = sources;
        this.http = http;
        this.fetched = new ImageCache(sources.cacheBytes());
    }

    /** Encoded image bytes, and whether they came over the network (and may be cached once verified). */
    private record Encoded(byte[] bytes, boolean fetched) {
    }

    /** @throws UnusableImageException with the reason the image cannot be used and what to do about it */
    public RgbImage resolve(ImageRef ref) throws UnusableImageException {
        Encoded encoded = encodedBytes(ref);
        byte[] bytes = encoded.bytes();
        String actual = Sha256.hex(bytes);
        if (!actual.equals(ref.getSha256())) {
            throw new UnusableImageException(ImageProblem.IMAGE_SHA_MISMATCH, "image bytes" + from(ref)
                    + " hash to " + actual + " but the pair records " + ref.getSha256() + ": the image changed since "
                    + "the user judged it, or the reference is wrong");
        }
        if (encoded.fetched()) {
            fetched.put(actual, bytes);
        }
        try {
            return RgbImage.fromBufferedImage(ImageProbe.decode(bytes, sources.maxPixels()).image());
        } catch (ImageProbe.TooManyPixelsException e) {
            throw new UnusableImageException(ImageProblem.IMAGE_TOO_LARGE, "image" + from(ref) + " is "
                    + e.getMessage() + " (--image-max-pixels); refused without decoding");
        } catch (IllegalArgumentException e) {
            throw new UnusableImageException(ImageProblem.IMAGE_UNDECODABLE, "image" + from(ref) + " is "
                    + e.getMessage());
        }
    }

    /** How many fetched images are kept, and their bytes. */
    public ImageCache cache() {
        return fetched;
    }

    private Encoded encodedBytes(ImageRef ref) throws UnusableImageException {
        ByteBuffer inline = ref.getBytes();
        if (inline != null) {
            ByteBuffer copy = inline.duplicate();
            byte[] bytes = new byte[copy.remaining()];
            copy.get(bytes);
            return new Encoded(bytes, false);
        }
        String uri = ref.getUri();
        if (uri == null || uri.isBlank()) {
            throw new UnusableImageException(ImageProblem.IMAGE_UNRESOLVABLE, "image " + ref.getSha256()
                    + " has neither inline bytes nor a URI");
        }
        URI parsed;
        try {
            parsed = new URI(uri.strip());
        } catch (java.net.URISyntaxException e) {
            throw new UnusableImageException(ImageProblem.IMAGE_UNRESOLVABLE, "image URI " + uri + " is not a URI: "
                    + e.getMessage());
        }
        String scheme = parsed.getScheme() == null ? "" : parsed.getScheme().toLowerCase(Locale.ROOT);
        return switch (scheme) {
            case "file" -> new Encoded(readFile(parsed), false);
            case "http", "https" -> {
                Optional<byte[]> kept = fetched.get(ref.getSha256());
                yield kept.isPresent() ? new Encoded(kept.get(), false) : new Encoded(http.fetch(parsed), true);
            }
            default -> throw new UnusableImageException(ImageProblem.IMAGE_UNRESOLVABLE, "image " + ref.getSha256()
                    + " has no inline bytes and its URI " + uri + " is neither file: nor http(s):, the schemes this "
                    + "trainer reads");
        };
    }

    private byte[] readFile(URI uri) throws UnusableImageException {
        try {
            Path path = Path.of(uri);
            try (InputStream in = Files.newInputStream(path)) {
                // at most one byte more than allowed: a file can grow between a size check and the read
                byte[] bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, sources.maxBytes() + 1));
                if (bytes.length > sources.maxBytes()) {
                    throw new UnusableImageException(ImageProblem.IMAGE_TOO_LARGE, uri + " is larger than the "
                            + sources.maxBytes() + " bytes allowed (--image-max-bytes)");
                }
                return bytes;
            }
        } catch (IOException | IllegalArgumentException | java.nio.file.FileSystemNotFoundException e) {
            throw new UnusableImageException(ImageProblem.IMAGE_UNRESOLVABLE, "cannot read " + uri + ": " + e);
        }
    }

    private static String from(ImageRef ref) {
        return ref.getBytes() != null ? " (inline)" : " from " + ref.getUri();
    }
}
