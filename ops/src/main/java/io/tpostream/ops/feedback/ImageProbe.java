package io.tpostream.ops.feedback;

import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Iterator;
import java.util.List;

/**
 * What encoded image bytes are: their format and size, found by decoding them (so corrupt images are caught). The
 * one place where the command line and the caption service look at image bytes they were given.
 */
public final class ImageProbe {

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

    /** @throws IllegalArgumentException if no installed image reader can decode the bytes */
    public static Probed probe(byte[] encoded) {
        return decode(encoded, Long.MAX_VALUE).probed();
    }

    /**
     * Decodes the bytes, refusing images larger than {@code maxPixels} from their header alone (a small file can
     * declare a huge image).
     *
     * @throws TooManyPixelsException   if the image has more than {@code maxPixels} pixels
     * @throws IllegalArgumentException if no installed image reader can decode the bytes
     */
    public static Decoded decode(byte[] encoded, long maxPixels) {
        // in memory: ImageIO's default stream would spill into temporary files
        try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(encoded))) {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                throw new IllegalArgumentException("not an image in a format Java reads (PNG, JPEG, GIF, BMP)");
            }
            return decode(readers.next(), in, maxPixels);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // closing an in-memory stream
        }
    }

    private static Decoded decode(ImageReader reader, ImageInputStream in, long maxPixels) {
        String format = reader.getOriginatingProvider().getFormatNames()[0];
        try {
            reader.setInput(in, true, true);
            long pixels = (long) reader.getWidth(0) * reader.getHeight(0);
            if (pixels > maxPixels) {
                throw new TooManyPixelsException("a " + reader.getWidth(0) + "x" + reader.getHeight(0) + " " + format
                        + " image: more than the " + maxPixels + " pixels accepted");
            }
            BufferedImage image = reader.read(0);
            return new Decoded(new Probed(List.of(reader.getOriginatingProvider().getMIMETypes()),
                    image.getWidth(), image.getHeight()), image);
        } catch (TooManyPixelsException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("not a readable " + format + " image (" + e.getMessage() + ")", e);
        } finally {
            reader.dispose();
        }
    }
}
