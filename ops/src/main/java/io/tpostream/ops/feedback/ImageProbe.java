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

/** What encoded image bytes are: their format and size, found by decoding them (so corrupt images are caught). */
final class ImageProbe {

    /** @param mediaTypes the MIME types of the format, the usual one first */
    record Probed(List<String> mediaTypes, int width, int height) {
        String mediaType() {
            return mediaTypes.get(0);
        }
    }

    private ImageProbe() {
    }

    /** @throws IllegalArgumentException if no installed image reader can decode the bytes */
    static Probed probe(byte[] encoded) {
        // in memory: ImageIO's default stream would spill into temporary files
        try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(encoded))) {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                throw new IllegalArgumentException("not an image in a format Java reads (PNG, JPEG, GIF, BMP)");
            }
            return decode(readers.next(), in);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // closing an in-memory stream
        }
    }

    private static Probed decode(ImageReader reader, ImageInputStream in) {
        try {
            reader.setInput(in, true, true);
            BufferedImage image = reader.read(0);
            return new Probed(List.of(reader.getOriginatingProvider().getMIMETypes()),
                    image.getWidth(), image.getHeight());
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("not a readable " + reader.getOriginatingProvider().getFormatNames()[0]
                    + " image (" + e.getMessage() + ")", e);
        } finally {
            reader.dispose();
        }
    }
}
