package io.tpostream.schema;

import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;

/**
 * What encoded image bytes are: their format from their first bytes, and their format and size from decoding them
 * (so corrupt images are caught). The one place where the system looks at image bytes it was given: the pairing
 * app's validation, the trainer's image resolver, the command line and the caption service.
 */
public final class ImageProbe {

    /** How many leading bytes {@link #sniffMediaType} needs to tell PNG and JPEG apart from anything else. */
    public static final int SNIFF_BYTES = 8;

    private static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
    /** Start of image, then the first marker segment's 0xFF: every JPEG (JFIF, Exif, raw) starts so. */
    private static final byte[] JPEG_SIGNATURE = {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF};

    /** @param mediaTypes the MIME types of the format, the usual one first */
    public record Probed(List<String> mediaTypes, int width, int height) {
        public String mediaType() {
            return mediaTypes.get(0);
        }
    }

    /** The probe's findings and the decoded pixels. */
    public record Decoded(Probed probed, BufferedImage image) {
    }

    /** The image declares more pixels than the caller accepts (checked before any pixel is decoded). */
    public static final class TooManyPixelsException extends IllegalArgumentException {
        TooManyPixelsException(String message) {
            super(message);
        }
    }

    private ImageProbe() {
    }

    /**
     * The media type the leading bytes announce, PNG or JPEG only: a cheap check of content from a source that may
     * send anything (an error page, a redirect notice), made before the rest is read or anything is decoded.
     *
     * @param length how many bytes of {@code head} are filled (fewer than {@link #SNIFF_BYTES} never match PNG)
     */
    public static Optional<String> sniffMediaType(byte[] head, int length) {
        if (startsWith(head, length, PNG_SIGNATURE)) {
            return Optional.of("image/png");
        }
        if (startsWith(head, length, JPEG_SIGNATURE)) {
            return Optional.of("image/jpeg");
        }
        return Optional.empty();
    }

    private static boolean startsWith(byte[] head, int length, byte[] signature) {
        if (length < signature.length) {
            return false;
        }
        for (int i = 0; i < signature.length; i++) {
            if (head[i] != signature[i]) {
                return false;
            }
        }
        return true;
    }

    /** The first bytes in hex, for messages about bytes that are not what they should be. */
    public static String leadingHex(byte[] bytes, int length) {
        int n = Math.min(SNIFF_BYTES, length);
        return n == 0 ? "(nothing)" : HexFormat.ofDelimiter(" ").formatHex(bytes, 0, n);
    }

    /** @throws IllegalArgumentException if no installed image reader can decode the bytes */
    public static Probed probe(byte[] encoded) {
        return decode(encoded, Long.MAX_VALUE).probed();
    }

    /**
     * Decodes the bytes, refusing images larger than {@code maxPixels} from their header alone (a small file can
     * declare a huge image: an "image bomb" would make the decoder allocate all of it).
     *
     * @throws TooManyPixelsException   if the image has more than {@code maxPixels} pixels
     * @throws IllegalArgumentException if no installed image reader can decode the bytes
     */
    public static Decoded decode(byte[] encoded, long maxPixels) {
        // in memory: ImageIO's default stream would spill into temporary files
        try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(encoded))) {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                throw new IllegalArgumentException("not an image in a format Java reads (PNG, JPEG, GIF, BMP): "
                        + encoded.length + " bytes starting " + leadingHex(encoded, encoded.length));
            }
            return decode(readers.next(), in, maxPixels);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // closing an in-memory stream
        }
    }

    private static Decoded decode(ImageReader reader, ImageInputStream in, long maxPixels) {
        String format = reader.getOriginatingProvider().getFormatNames()[0];
        try {
            long width;
            long height;
            try {
                reader.setInput(in, true, true);
                width = reader.getWidth(0);
                height = reader.getHeight(0);
            } catch (IOException | RuntimeException e) {
                throw unreadable(format, e);
            }
            if (width <= 0 || height <= 0) {
                throw new IllegalArgumentException("a " + format + " header declaring an empty image " + width + "x"
                        + height);
            }
            if (width * height > maxPixels) {
                throw new TooManyPixelsException("a " + width + "x" + height + " " + format + " image: more than the "
                        + maxPixels + " pixels accepted");
            }
            try {
                BufferedImage image = reader.read(0);
                return new Decoded(new Probed(List.of(reader.getOriginatingProvider().getMIMETypes()),
                        image.getWidth(), image.getHeight()), image);
            } catch (IOException | RuntimeException e) {
                throw unreadable(format, e);
            }
        } finally {
            reader.dispose();
        }
    }

    /** Readers signal corrupt data with anything from IIOException to IndexOutOfBoundsException. */
    private static IllegalArgumentException unreadable(String format, Exception e) {
        return new IllegalArgumentException("not a readable " + format + " image (" + e.getMessage() + ")", e);
    }
}
