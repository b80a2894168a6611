package io.tpostream.trainer.training;

import io.tpostream.schema.ImageRef;
import io.tpostream.schema.Sha256;
import io.tpostream.trainer.image.HostAllowlist;
import io.tpostream.trainer.image.ImageProblem;
import io.tpostream.trainer.image.ImageSources;
import io.tpostream.trainer.image.IpNetwork;
import io.tpostream.trainer.image.RgbImage;
import io.tpostream.trainer.image.UnusableImageException;
import io.tpostream.trainer.testing.ImageServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ImageResolverTest {

    private static final ImageSources FROM_THIS_MACHINE = ImageSources.defaults()
            .withHosts(new HostAllowlist(List.of("127.0.0.1")))
            .withAllowedNetworks(List.of(IpNetwork.parse("127.0.0.1/32")))
            .withTimeouts(Duration.ofSeconds(30), Duration.ofSeconds(60));

    private final ImageServer server = ImageServer.http();

    @TempDir
    Path dir;

    ImageResolverTest() throws IOException {
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private static RgbImage scene(int width, int height, int seed) {
        byte[] rgb = new byte[width * height * 3];
        Arrays.fill(rgb, (byte) seed);
        return new RgbImage(width, height, rgb);
    }

    private static ImageRef byUri(URI uri, String sha256) {
        return ImageRef.newBuilder().setUri(uri.toString()).setSha256(sha256).build();
    }

    private static UnusableImageException refused(ImageProblem expected, ImageResolver resolver, ImageRef ref) {
        UnusableImageException e = assertThrows(UnusableImageException.class, () -> resolver.resolve(ref));
        assertEquals(expected, e.problem(), e.getMessage());
        return e;
    }

    @Test
    void aFetchedImageIsFetchedOnceThenTakenFromTheCacheBySha256() throws Exception {
        RgbImage image = scene(8, 8, 40);
        byte[] png = image.encodePng();
        server.serve("/a.png", ImageServer.bytes(png)).serve("/same-image-elsewhere.png", ImageServer.bytes(png));
        ImageResolver resolver = new ImageResolver(FROM_THIS_MACHINE);
        String sha = Sha256.hex(png);
        assertEquals(image, resolver.resolve(byUri(server.uri("/a.png"), sha)));
        assertEquals(image, resolver.resolve(byUri(server.uri("/a.png"), sha)));
        assertEquals(image, resolver.resolve(byUri(server.uri("/same-image-elsewhere.png"), sha)));
        assertEquals(1, server.hits("/a.png"), "fetched once");
        assertEquals(0, server.hits("/same-image-elsewhere.png"), "the cache is keyed by content, not by URI");
        assertEquals(png.length, resolver.cache().heldBytes());

        ImageResolver uncached = new ImageResolver(FROM_THIS_MACHINE.withCacheBytes(0));
        uncached.resolve(byUri(server.uri("/a.png"), sha));
        uncached.resolve(byUri(server.uri("/a.png"), sha));
        assertEquals(3, server.hits("/a.png"), "without a cache every resolve fetches");
    }

    @Test
    void bytesThatHashToAnotherShaAreAMismatchAndNeverCached() {
        byte[] served = scene(8, 8, 1).encodePng();
        String recorded = Sha256.hex(scene(8, 8, 2).encodePng());
        server.serve("/changed.png", ImageServer.bytes(served));
        ImageResolver resolver = new ImageResolver(FROM_THIS_MACHINE);
        UnusableImageException e = refused(ImageProblem.IMAGE_SHA_MISMATCH, resolver,
                byUri(server.uri("/changed.png"), recorded));
        assertTrue(e.getMessage().contains("hash to " + Sha256.hex(served) + " but the pair records " + recorded),
                e.getMessage());
        assertEquals(0, resolver.cache().size());
        refused(ImageProblem.IMAGE_SHA_MISMATCH, resolver, byUri(server.uri("/changed.png"), recorded));
        assertEquals(2, server.hits("/changed.png"), "asked again: nothing unverified was kept");
    }

    @Test
    void byDefaultNoHostIsFetchedFrom() {
        server.serve("/a.png", ImageServer.bytes(scene(4, 4, 1).encodePng()));
        refused(ImageProblem.IMAGE_HOST_REFUSED, ImageResolver.localOnly(), byUri(server.uri("/a.png"), "0".repeat(64)));
        assertEquals(0, server.hits("/a.png"));
    }

    @Test
    void filesAreReadWithinTheByteLimitAndOtherSchemesAreUnresolvable() throws Exception {
        RgbImage image = scene(8, 8, 3);
        byte[] png = image.encodePng();
        Path file = Files.write(dir.resolve("scene.png"), png);
        ImageRef ref = byUri(file.toUri(), Sha256.hex(png));
        assertEquals(image, new ImageResolver(ImageSources.defaults()).resolve(ref));
        ImageResolver tight = new ImageResolver(ImageSources.defaults().withLimits(png.length - 1,
                ImageSources.DEFAULT_MAX_PIXELS));
        refused(ImageProblem.IMAGE_TOO_LARGE, tight, ref);
        refused(ImageProblem.IMAGE_UNRESOLVABLE, ImageResolver.localOnly(),
                byUri(dir.resolve("missing.png").toUri(), Sha256.hex(png)));
        UnusableImageException s3 = refused(ImageProblem.IMAGE_UNRESOLVABLE, ImageResolver.localOnly(),
                byUri(URI.create("s3://bucket/scene.png"), Sha256.hex(png)));
        assertTrue(s3.getMessage().contains("neither file: nor http(s):"), s3.getMessage());
        refused(ImageProblem.IMAGE_UNRESOLVABLE, ImageResolver.localOnly(),
                ImageRef.newBuilder().setSha256(Sha256.hex(png)).build());
    }

    @Test
    void anImageWithMorePixelsThanAllowedIsRefusedFromItsHeader() throws Exception {
        byte[] png = scene(64, 64, 5).encodePng();
        ImageRef inline = ImageRef.newBuilder().setSha256(Sha256.hex(png)).setBytes(ByteBuffer.wrap(png)).build();
        ImageResolver small = new ImageResolver(ImageSources.defaults().withLimits(ImageSources.DEFAULT_MAX_BYTES,
                64 * 64 - 1));
        UnusableImageException e = refused(ImageProblem.IMAGE_TOO_LARGE, small, inline);
        assertTrue(e.getMessage().contains("64x64"), e.getMessage());
        assertEquals(64, ImageResolver.localOnly().resolve(inline).width());
        byte[] text = "not an image".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        refused(ImageProblem.IMAGE_UNDECODABLE, ImageResolver.localOnly(),
                ImageRef.newBuilder().setSha256(Sha256.hex(text)).setBytes(ByteBuffer.wrap(text)).build());
    }
}
