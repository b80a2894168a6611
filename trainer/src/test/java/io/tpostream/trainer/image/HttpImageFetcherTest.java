package io.tpostream.trainer.image;

import io.tpostream.trainer.testing.ImageServer;
import io.tpostream.trainer.testing.TestPki;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The fetcher against real servers on 127.0.0.1 that behave well, slowly, badly or hostilely. */
class HttpImageFetcherTest {

    /** Far beyond any short timeout below: a fetch that ignored its deadline would fail here instead of hanging. */
    private static final Duration HANG = Duration.ofSeconds(90);
    private static final long MAX_BYTES = 256 << 10;
    /** Tests of answers that do come use timeouts a loaded machine never reaches. */
    private static final ImageSources PATIENT = ImageSources.defaults()
            .withHosts(new HostAllowlist(List.of("127.0.0.1")))
            .withAllowedNetworks(List.of(IpNetwork.parse("127.0.0.1/32")))
            .withTimeouts(Duration.ofSeconds(30), Duration.ofSeconds(60))
            .withLimits(MAX_BYTES, ImageSources.DEFAULT_MAX_PIXELS);
    /** Tests of servers that never finish use a short fetch timeout. */
    private static final ImageSources HASTY = PATIENT.withTimeouts(Duration.ofSeconds(30), Duration.ofSeconds(1));

    private final ImageServer server = ImageServer.http();

    HttpImageFetcherTest() throws IOException {
    }

    @AfterEach
    void stop() {
        server.close();
    }

    static byte[] image(String format, int size) {
        BufferedImage img = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
        for (int i = 0; i < size; i++) {
            img.setRGB(i, i, 0x33AA55 + i);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            assertTrue(ImageIO.write(img, format, out));
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        return out.toByteArray();
    }

    private static UnusableImageException refused(ImageProblem expected, ImageSources sources, URI uri) {
        UnusableImageException e = assertThrows(UnusableImageException.class,
                () -> assertTimeoutPreemptively(HANG, () -> new HttpImageFetcher(sources).fetch(uri)));
        assertEquals(expected, e.problem(), e.getMessage());
        return e;
    }

    @Test
    void aPngWithItsLengthAndAJpegInChunksAreFetchedByteForByte() throws Exception {
        byte[] png = image("png", 32);
        byte[] jpeg = image("jpg", 32);
        server.serve("/scene.png", ImageServer.bytes(png)).serve("/scene.jpg", ImageServer.chunked(jpeg));
        HttpImageFetcher fetcher = new HttpImageFetcher(PATIENT);
        assertArrayEquals(png, fetcher.fetch(server.uri("/scene.png")));
        assertArrayEquals(jpeg, fetcher.fetch(server.uri("/scene.jpg")));
    }

    @Test
    void aServerThatNeverAnswersTimesOut() {
        server.serve("/slow.png", exchange -> server.stallUntilClosed());
        UnusableImageException e = refused(ImageProblem.IMAGE_FETCH_TIMEOUT, HASTY, server.uri("/slow.png"));
        assertTrue(e.getMessage().contains("longer than the fetch timeout of 1 s"), e.getMessage());
    }

    @Test
    void aServerThatStallsMidBodyTimesOut() {
        byte[] png = image("png", 64);
        server.serve("/half.png", exchange -> {
            exchange.sendResponseHeaders(200, png.length);
            exchange.getResponseBody().write(png, 0, png.length / 2);
            exchange.getResponseBody().flush();
            server.stallUntilClosed();
        });
        refused(ImageProblem.IMAGE_FETCH_TIMEOUT, HASTY, server.uri("/half.png"));
    }

    @Test
    void aServerThatDripsBytesFasterThanAnyReadTimeoutStillMeetsTheDeadline() {
        byte[] png = image("png", 64);
        CountDownLatch clientGone = new CountDownLatch(1);
        server.serve("/drip.png", exchange -> {
            exchange.sendResponseHeaders(200, png.length);
            OutputStream out = exchange.getResponseBody();
            try {
                for (byte b : png) {
                    out.write(b);
                    out.flush();
                    if (clientGone.await(50, TimeUnit.MILLISECONDS)) { // the server's pace, not a test's wait
                        return;
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        try {
            refused(ImageProblem.IMAGE_FETCH_TIMEOUT, HASTY, server.uri("/drip.png"));
        } finally {
            clientGone.countDown();
        }
    }

    @Test
    void aBodyOverTheLimitIsCutOffAndTheServerSeesTheConnectionClose() throws InterruptedException {
        long offered = 256L << 20; // a thousand times the limit
        AtomicLong written = new AtomicLong();
        AtomicReference<IOException> writeFailure = new AtomicReference<>();
        CountDownLatch done = new CountDownLatch(1);
        byte[] start = image("png", 8);
        server.serve("/huge.png", exchange -> {
            try {
                exchange.sendResponseHeaders(200, 0); // chunked: no Content-Length to refuse it by
                OutputStream out = exchange.getResponseBody();
                out.write(start);
                byte[] filler = new byte[64 << 10];
                for (long n = start.length; n < offered; n += filler.length) {
                    out.write(filler);
                    written.set(n);
                }
            } catch (IOException e) {
                writeFailure.set(e);
            } finally {
                done.countDown();
            }
        });
        UnusableImageException e = refused(ImageProblem.IMAGE_TOO_LARGE, PATIENT, server.uri("/huge.png"));
        assertTrue(e.getMessage().contains("the rest was not read"), e.getMessage());
        assertTrue(done.await(HANG.toSeconds(), TimeUnit.SECONDS), "the server's handler ended");
        assertInstanceOf(IOException.class, writeFailure.get(), "the server saw the connection close under it");
        assertTrue(written.get() < offered / 2, "the server wrote " + written.get() + " of " + offered + " bytes");
    }

    @Test
    void aContentLengthOverTheLimitIsRefusedBeforeTheBodyIsRead() {
        server.serve("/declared.png", exchange -> {
            exchange.sendResponseHeaders(200, MAX_BYTES + 1);
            exchange.getResponseBody().write(image("png", 8)); // what a client that read on would get first
        });
        UnusableImageException e = refused(ImageProblem.IMAGE_TOO_LARGE, PATIENT, server.uri("/declared.png"));
        assertTrue(e.getMessage().contains("declares " + (MAX_BYTES + 1) + " bytes (Content-Length)"), e.getMessage());
    }

    @Test
    void aBodyThatIsNoPngOrJpegIsRefusedByItsFirstBytes() {
        byte[] page = "<html><body>Please log in</body></html>".getBytes(StandardCharsets.UTF_8);
        byte[] gif = image("gif", 8);
        server.serve("/login", ImageServer.bytes(page)).serve("/scene.gif", ImageServer.bytes(gif))
                .serve("/empty.png", ImageServer.bytes(new byte[0]));
        UnusableImageException html = refused(ImageProblem.IMAGE_NOT_AN_IMAGE, PATIENT, server.uri("/login"));
        assertTrue(html.getMessage().contains("it starts 3c 68 74 6d 6c 3e 3c 62"), html.getMessage());
        refused(ImageProblem.IMAGE_NOT_AN_IMAGE, PATIENT, server.uri("/scene.gif"));
        refused(ImageProblem.IMAGE_NOT_AN_IMAGE, PATIENT, server.uri("/empty.png"));
    }

    @Test
    void anAnswerOtherThan200IsRefusedWithItsStatus() {
        server.serve("/gone.png", ImageServer.status(404)).serve("/broken.png", ImageServer.status(500));
        UnusableImageException e = refused(ImageProblem.IMAGE_HTTP_STATUS, PATIENT, server.uri("/gone.png"));
        assertTrue(e.getMessage().contains("answered 404"), e.getMessage());
        refused(ImageProblem.IMAGE_HTTP_STATUS, PATIENT, server.uri("/broken.png"));
    }

    @Test
    void aRedirectWithinTheAllowedHostsIsFollowed() throws Exception {
        byte[] png = image("png", 16);
        server.serve("/old.png", ImageServer.redirect(301, "/new.png"))
                .serve("/new.png", ImageServer.bytes(png));
        assertArrayEquals(png, new HttpImageFetcher(PATIENT).fetch(server.uri("/old.png")));
        assertEquals(1, server.hits("/new.png"));
    }

    @Test
    void aRedirectIsCheckedLikeTheFirstRequestAndNotFollowedWhereThatIsRefused() {
        byte[] png = image("png", 16);
        server.serve("/to-name.png", ImageServer.redirect(302, "http://localhost:" + server.port() + "/new.png"))
                .serve("/to-metadata", ImageServer.redirect(307, "http://169.254.169.254/latest/meta-data/"))
                .serve("/new.png", ImageServer.bytes(png));
        UnusableImageException offList = refused(ImageProblem.IMAGE_HOST_REFUSED, PATIENT,
                server.uri("/to-name.png"));
        assertTrue(offList.getMessage().contains("redirected from " + server.uri("/to-name.png")),
                offList.getMessage());
        assertEquals(0, server.hits("/new.png"), "the redirect's target was never asked");

        // any host is allowed, but not the link-local address where cloud metadata services answer
        ImageSources anyHost = PATIENT.withHosts(new HostAllowlist(List.of("*")));
        UnusableImageException metadata = refused(ImageProblem.IMAGE_HOST_REFUSED, anyHost,
                server.uri("/to-metadata"));
        assertTrue(metadata.getMessage().contains("169.254.169.254, a link-local address"), metadata.getMessage());
    }

    @Test
    void aRedirectLoopEndsAfterAFewHops() {
        server.serve("/loop.png", ImageServer.redirect(302, "/loop.png"));
        refused(ImageProblem.IMAGE_HTTP_STATUS, PATIENT, server.uri("/loop.png"));
        assertEquals(HttpImageFetcher.MAX_REDIRECTS + 1, server.hits("/loop.png"));
    }

    @Test
    void loopbackIsRefusedUnlessItsNetworkIsAllowedAndOtherHostsUnlessListed() {
        server.serve("/scene.png", ImageServer.bytes(image("png", 8)));
        UnusableImageException loopback = refused(ImageProblem.IMAGE_HOST_REFUSED,
                PATIENT.withAllowedNetworks(List.of()), server.uri("/scene.png"));
        assertTrue(loopback.getMessage().contains("127.0.0.1, a loopback address"), loopback.getMessage());
        UnusableImageException unlisted = refused(ImageProblem.IMAGE_HOST_REFUSED,
                PATIENT.withHosts(new HostAllowlist(List.of(".example.com"))), server.uri("/scene.png"));
        assertTrue(unlisted.getMessage().contains("not on the image host allowlist"), unlisted.getMessage());
        refused(ImageProblem.IMAGE_HOST_REFUSED, ImageSources.defaults(), server.uri("/scene.png"));
        assertEquals(0, server.hits("/scene.png"), "nothing was asked of a refused host");
    }

    @Test
    void aPortNobodyListensOnIsAFailedFetch() throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        UnusableImageException e = refused(ImageProblem.IMAGE_FETCH_FAILED, PATIENT,
                URI.create("http://127.0.0.1:" + closedPort + "/scene.png"));
        assertTrue(e.getMessage().startsWith("could not connect to 127.0.0.1:" + closedPort), e.getMessage());
    }

    @Test
    void httpsChecksTheCertificateAgainstTheHostTheUriNames(@TempDir Path dir) throws Exception {
        byte[] png = image("png", 16);
        TestPki valid = TestPki.create(dir.resolve("valid"));
        TestPki otherName = TestPki.create(dir.resolve("other"), "dns:images.example.com");
        try (ImageServer good = ImageServer.https(valid.serverContext()).serve("/s.png", ImageServer.bytes(png));
             ImageServer wrong = ImageServer.https(otherName.serverContext()).serve("/s.png", ImageServer.bytes(png))) {
            HttpImageFetcher trustingValid = new HttpImageFetcher(PATIENT, valid.clientContext().getSocketFactory());
            assertArrayEquals(png, trustingValid.fetch(good.uri("/s.png")));

            HttpImageFetcher trustingOther = new HttpImageFetcher(PATIENT, otherName.clientContext().getSocketFactory());
            UnusableImageException e = assertThrows(UnusableImageException.class,
                    () -> trustingOther.fetch(wrong.uri("/s.png")));
            assertEquals(ImageProblem.IMAGE_FETCH_FAILED, e.problem(), e.getMessage());
            assertTrue(e.getMessage().startsWith("TLS with 127.0.0.1 failed"), e.getMessage());
            assertEquals(0, wrong.hits("/s.png"), "no request went to a server that is not the one named");

            UnusableImageException untrusted = assertThrows(UnusableImageException.class,
                    () -> new HttpImageFetcher(PATIENT).fetch(good.uri("/s.png")));
            assertEquals(ImageProblem.IMAGE_FETCH_FAILED, untrusted.problem(), "a CA the JVM does not trust");
        }
    }

    @Test
    void theLengthLimitCountsTheBodyNotTheChunkFraming() throws Exception {
        byte[] png = image("png", 16);
        byte[] exactlyTheLimit = Arrays.copyOf(png, (int) MAX_BYTES); // a PNG start, then zeros up to the limit
        server.serve("/exact.png", ImageServer.chunked(exactlyTheLimit));
        assertEquals(MAX_BYTES, new HttpImageFetcher(PATIENT).fetch(server.uri("/exact.png")).length);
    }
}
