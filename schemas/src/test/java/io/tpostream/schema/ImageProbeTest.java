package io.tpostream.schema;

import org.junit.jupiter.api.Test;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ImageProbeTest {

    private static byte[] encode(String format, int width, int height) throws IOException {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        image.setRGB(0, 0, 0xFF0000);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertTrue(ImageIO.write(image, format, out), "a writer for " + format);
        return out.toByteArray();
    }

    private static Optional<String> sniff(byte[] bytes) {
        return ImageProbe.sniffMediaType(bytes, bytes.length);
    }

    @Test
    void pngAndJpegAreRecognisedByTheirFirstBytes() throws IOException {
        assertEquals(Optional.of("image/png"), sniff(encode("png", 4, 4)));
        assertEquals(Optional.of("image/jpeg"), sniff(encode("jpg", 4, 4)));
        byte[] png = encode("png", 4, 4);
        assertEquals(Optional.of("image/png"), ImageProbe.sniffMediaType(png, ImageProbe.SNIFF_BYTES),
                "the first SNIFF_BYTES are enough");
    }

    @Test
    void otherFormatsTextAndTooFewBytesAreNotAnImage() throws IOException {
        assertEquals(Optional.empty(), sniff(encode("gif", 4, 4)));
        assertEquals(Optional.empty(), sniff(encode("bmp", 4, 4)));
        assertEquals(Optional.empty(), sniff("<html><body>404</body></html>".getBytes(StandardCharsets.UTF_8)));
        byte[] png = encode("png", 4, 4);
        assertEquals(Optional.empty(), ImageProbe.sniffMediaType(png, 7), "a PNG signature cut short");
        assertEquals(Optional.empty(), ImageProbe.sniffMediaType(Arrays.copyOf(png, 0), 0));
    }

    @Test
    void anImageWithMorePixelsThanAcceptedIsRefusedAsTooManyPixels() throws IOException {
        byte[] png = encode("png", 64, 64);
        ImageProbe.TooManyPixelsException e = assertThrows(ImageProbe.TooManyPixelsException.class,
                () -> ImageProbe.decode(png, 64 * 64 - 1));
        assertTrue(e.getMessage().contains("64x64"), e.getMessage());
        assertEquals(64, ImageProbe.decode(png, 64 * 64).probed().width());
    }

    @Test
    void bytesNoReaderKnowsAreRefusedWithTheirFirstBytesInHex() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ImageProbe.decode("GIF? no".getBytes(StandardCharsets.US_ASCII), Long.MAX_VALUE));
        assertTrue(e.getMessage().startsWith("not an image in a format Java reads"), e.getMessage());
        assertTrue(e.getMessage().endsWith("7 bytes starting 47 49 46 3f 20 6e 6f"), e.getMessage());
    }
}
