package io.tpostream.trainer.image;

import io.tpostream.schema.ImageProbe;

import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ProtocolException;
import java.net.Proxy;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Fetches an image over http(s) as a careful client must when URIs come from users: only from allowed hosts; only
 * at addresses {@link AddressPolicy} allows, and the connection goes to exactly the address that was checked (the
 * name is resolved once, so a DNS answer that changes between check and connect cannot redirect the trainer into
 * its own network); redirects followed only a few times, each target checked the same way; one deadline for the
 * whole fetch; the body read only up to the size limit, and dropped as soon as its first bytes are not a PNG or
 * JPEG.
 *
 * <p>It speaks HTTP/1.1 over a socket of its own because the JDK's {@code HttpClient} resolves host names itself at
 * connect time (and pools connections by name), with no way in Java 17 to make it connect to an address checked
 * beforehand, and because its request timeout ends when the response head arrives, not with the body.
 */
public final class HttpImageFetcher {

    /** Redirects followed per fetch: enough for http to https or a CDN's hop, too few for a loop. */
    static final int MAX_REDIRECTS = 3;

    private static final int READ_CHUNK = 64 << 10;

    private final ImageSources sources;
    private final AddressPolicy addresses;
    private final SSLSocketFactory tls;

    public HttpImageFetcher(ImageSources sources) {
        this(sources, (SSLSocketFactory) SSLSocketFactory.getDefault());
    }

    /** @param tls makes the TLS connections of https fetches (the JDK's default trusts its usual CAs) */
    public HttpImageFetcher(ImageSources sources, SSLSocketFactory tls) {
        this.sources = sources;
        this.addresses = sources.addressPolicy();
        this.tls = tls;
    }

    /** Where one request goes: the host as named, and the addresses it resolved to, every one of them allowed. */
    private record Target(URI uri, String host, int port, boolean secure, List<InetAddress> addresses) {
    }

    /**
     * The body of the 200 answer to {@code GET uri}: at most the size limit, starting like a PNG or a JPEG.
     *
     * @throws UnusableImageException with the reason it could not be had
     */
    public byte[] fetch(URI uri) throws UnusableImageException {
        long deadline = System.nanoTime() + sources.fetchTimeout().toNanos();
        URI current = uri;
        for (int redirects = 0; ; redirects++) {
            Target target = target(current, uri);
            Answer answer;
            try {
                answer = exchange(target, deadline);
            } catch (SocketTimeoutException e) {
                throw new UnusableImageException(ImageProblem.IMAGE_FETCH_TIMEOUT, "fetching " + via(current, uri)
                        + " took longer than the fetch timeout of " + seconds(sources.fetchTimeout().toMillis())
                        + "; the server is slow or stalled (raise --image-fetch-timeout if it is just slow)");
            } catch (SSLException e) {
                throw new UnusableImageException(ImageProblem.IMAGE_FETCH_FAILED, "TLS with " + target.host()
                        + " failed for " + via(current, uri) + ": " + e.getMessage() + " (the server's certificate "
                        + "must be valid for that name and signed by a CA this JVM trusts)");
            } catch (IOException e) {
                throw new UnusableImageException(ImageProblem.IMAGE_FETCH_FAILED, "fetching " + via(current, uri)
                        + " failed: " + e);
            }
            if (answer.redirect() == null) {
                return answer.body();
            }
            if (redirects == MAX_REDIRECTS) {
                throw new UnusableImageException(ImageProblem.IMAGE_HTTP_STATUS, uri + " redirected more than "
                        + MAX_REDIRECTS + " times (last to " + answer.redirect() + "); reference the image's final "
                        + "URI");
            }
            current = answer.redirect();
        }
    }

    /** What a request got: the body of a 200 answer, or where a redirect points. */
    private record Answer(byte[] body, URI redirect) {
    }

    /** Checks a URI and resolves its host once: the scheme, the host allowlist, then every address. */
    private Target target(URI uri, URI original) throws UnusableImageException {
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new UnusableImageException(ImageProblem.IMAGE_UNRESOLVABLE, via(uri, original)
                    + " is not an http(s) URI");
        }
        String host = uri.getHost();
        if (host == null) {
            throw new UnusableImageException(ImageProblem.IMAGE_UNRESOLVABLE, via(uri, original) + " names no host");
        }
        if (!sources.hosts().permits(host)) {
            throw new UnusableImageException(ImageProblem.IMAGE_HOST_REFUSED, "host " + host + " of "
                    + via(uri, original) + " is not on the image host allowlist " + sources.hosts().entries()
                    + "; if the trainer may fetch from it, add it (tpo train --image-hosts)");
        }
        InetAddress[] resolved;
        try {
            resolved = InetAddress.getAllByName(host); // a literal is parsed, a name looked up: once
        } catch (UnknownHostException e) {
            throw new UnusableImageException(ImageProblem.IMAGE_UNRESOLVABLE, "host " + host + " of "
                    + via(uri, original) + " does not resolve: " + e.getMessage());
        }
        for (InetAddress a : resolved) {
            Optional<String> refusal = addresses.refusal(a);
            if (refusal.isPresent()) {
                throw new UnusableImageException(ImageProblem.IMAGE_HOST_REFUSED, "host " + host + " of "
                        + via(uri, original) + " resolves to " + a.getHostAddress() + ", " + refusal.get()
                        + ": the trainer does not fetch from such addresses unless their network is allowed "
                        + "(tpo train --image-allow-network)");
            }
        }
        boolean secure = scheme.equals("https");
        int port = uri.getPort() >= 0 ? uri.getPort() : secure ? 443 : 80;
        return new Target(uri, host, port, secure, List.of(resolved));
    }

    /**
     * One request and its answer: a 200 answer's body, or where a redirect points.
     */
    private Answer exchange(Target t, long deadline) throws IOException, UnusableImageException {
        try (Socket raw = connect(t, deadline);
             Socket socket = t.secure() ? handshake(raw, t, deadline) : raw) {
            OutputStream out = socket.getOutputStream();
            out.write(request(t).getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = new BufferedInputStream(new DeadlineInputStream(socket, deadline), READ_CHUNK);
            HttpResponseHead head = HttpResponseHead.read(in);
            if (head.isRedirect()) {
                return new Answer(null, redirectTarget(t, head));
            }
            if (head.status() != 200) {
                throw new UnusableImageException(ImageProblem.IMAGE_HTTP_STATUS, "GET " + t.uri() + " answered "
                        + head.status() + " " + head.reason() + "; the image must be served with 200 OK at that URI");
            }
            OptionalLong length = head.contentLength();
            if (length.isPresent() && length.getAsLong() > sources.maxBytes()) {
                throw new UnusableImageException(ImageProblem.IMAGE_TOO_LARGE, "GET " + t.uri() + " declares "
                        + length.getAsLong() + " bytes (Content-Length), more than the " + sources.maxBytes()
                        + " allowed (--image-max-bytes); nothing was read");
            }
            return new Answer(readBody(bodyOf(head, in), length, t.uri()), null);
        }
    }

    private Socket connect(Target t, long deadline) throws IOException, UnusableImageException {
        IOException last = null;
        for (InetAddress address : t.addresses()) {
            Socket socket = new Socket(Proxy.NO_PROXY); // unconnected: the address below is the one checked
            try {
                int timeout = (int) Math.min(sources.connectTimeout().toMillis(),
                        DeadlineInputStream.millisLeft(deadline));
                socket.connect(new InetSocketAddress(address, t.port()), timeout);
                return socket;
            } catch (IOException e) {
                socket.close();
                last = e;
            }
        }
        String where = t.host() + ":" + t.port() + " "
                + t.addresses().stream().map(InetAddress::getHostAddress).toList();
        if (last instanceof SocketTimeoutException) {
            throw new UnusableImageException(ImageProblem.IMAGE_FETCH_TIMEOUT, "could not connect to " + where
                    + " for " + t.uri() + " within the connect timeout of "
                    + seconds(sources.connectTimeout().toMillis()) + " (--image-connect-timeout)");
        }
        if (last instanceof ConnectException) {
            throw new UnusableImageException(ImageProblem.IMAGE_FETCH_FAILED, "could not connect to " + where
                    + " for " + t.uri() + ": " + last.getMessage());
        }
        throw last;
    }

    /** TLS over the connected socket, checking the certificate against the host name the URI gave. */
    private Socket handshake(Socket raw, Target t, long deadline) throws IOException {
        SSLSocket socket = (SSLSocket) tls.createSocket(raw, t.host(), t.port(), true);
        SSLParameters parameters = socket.getSSLParameters();
        parameters.setEndpointIdentificationAlgorithm("HTTPS");
        if (!t.host().startsWith("[") && !t.host().chars().allMatch(c -> c == '.' || Character.isDigit(c))) {
            try {
                parameters.setServerNames(List.of(new SNIHostName(t.host())));
            } catch (IllegalArgumentException notForSni) {
                // a name SNI cannot carry (e.g. with the root's trailing dot): the certificate is still checked
            }
        }
        socket.setSSLParameters(parameters);
        socket.setSoTimeout(DeadlineInputStream.millisLeft(deadline));
        socket.startHandshake();
        return socket;
    }

    private static String request(Target t) {
        URI ascii = URI.create(t.uri().toASCIIString());
        String path = ascii.getRawPath() == null || ascii.getRawPath().isEmpty() ? "/" : ascii.getRawPath();
        String query = ascii.getRawQuery() == null ? "" : "?" + ascii.getRawQuery();
        boolean defaultPort = t.port() == (t.secure() ? 443 : 80);
        return "GET " + path + query + " HTTP/1.1\r\n"
                + "Host: " + ascii.getHost() + (defaultPort ? "" : ":" + t.port()) + "\r\n"
                + "User-Agent: tpo-trainer\r\n"
                + "Accept: image/png, image/jpeg\r\n"
                + "Accept-Encoding: identity\r\n"
                + "Connection: close\r\n\r\n";
    }

    private static URI redirectTarget(Target t, HttpResponseHead head) throws IOException {
        String location = head.field("location").orElseThrow(() -> new ProtocolException(
                "a " + head.status() + " redirect without a Location"));
        try {
            return t.uri().resolve(new URI(location));
        } catch (URISyntaxException e) {
            throw new ProtocolException("a " + head.status() + " redirect to an invalid URI: " + location);
        }
    }

    private static InputStream bodyOf(HttpResponseHead head, InputStream in) throws IOException {
        Optional<String> coding = head.field("transfer-encoding");
        if (coding.isEmpty()) {
            return in; // Content-Length, or until the server closes (Connection: close)
        }
        if (coding.get().equalsIgnoreCase("chunked")) {
            return new ChunkedInputStream(in);
        }
        throw new ProtocolException("unsupported Transfer-Encoding '" + coding.get() + "'");
    }

    /**
     * Reads the body up to its Content-Length, or else to its end but at most one byte more than allowed: a longer
     * body is known to be too long without reading it.
     */
    private byte[] readBody(InputStream body, OptionalLong length, URI uri) throws IOException, UnusableImageException {
        long limit = sources.maxBytes();
        long stopAt = length.orElse(limit + 1);
        ByteArrayOutputStream out = new ByteArrayOutputStream((int) Math.min(stopAt, READ_CHUNK));
        byte[] chunk = new byte[READ_CHUNK];
        boolean sniffed = false;
        int n = 0;
        while (n >= 0 && out.size() < stopAt) {
            n = body.read(chunk, 0, (int) Math.min(chunk.length, stopAt - out.size()));
            if (n > 0) {
                out.write(chunk, 0, n);
            }
            if (!sniffed && out.size() >= ImageProbe.SNIFF_BYTES) {
                requireImageStart(out, uri);
                sniffed = true;
            }
        }
        if (!sniffed) {
            requireImageStart(out, uri);
        }
        if (out.size() > limit) {
            throw new UnusableImageException(ImageProblem.IMAGE_TOO_LARGE, "GET " + uri + " sent more than the "
                    + limit + " bytes allowed (--image-max-bytes); the rest was not read");
        }
        if (out.size() < stopAt && length.isPresent()) {
            throw new ProtocolException("the body ended after " + out.size() + " of the " + length.getAsLong()
                    + " bytes its Content-Length declared");
        }
        return out.toByteArray();
    }

    /** Refuses a body whose first bytes are not a PNG's or a JPEG's: an error page, a redirect notice, anything. */
    private static void requireImageStart(ByteArrayOutputStream body, URI uri) throws UnusableImageException {
        byte[] head = Arrays.copyOf(body.toByteArray(), Math.min(body.size(), ImageProbe.SNIFF_BYTES));
        if (ImageProbe.sniffMediaType(head, head.length).isEmpty()) {
            throw new UnusableImageException(ImageProblem.IMAGE_NOT_AN_IMAGE, "GET " + uri + " sent a body that is "
                    + "no PNG or JPEG (it starts " + ImageProbe.leadingHex(head, head.length) + "); the rest was not "
                    + "read");
        }
    }

    /** The URI, and the one it was reached from if a redirect led there. */
    private static String via(URI uri, URI original) {
        return uri.equals(original) ? uri.toString() : uri + " (redirected from " + original + ")";
    }

    private static String seconds(long millis) {
        return millis % 1000 == 0 ? millis / 1000 + " s" : millis / 1000.0 + " s";
    }
}
