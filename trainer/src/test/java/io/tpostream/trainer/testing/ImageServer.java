package io.tpostream.trainer.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;

import javax.net.ssl.SSLContext;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real HTTP or HTTPS server on 127.0.0.1 (the JDK's own) that answers each path as a test says and counts the
 * requests per path. A response may {@linkplain #stallUntilClosed stall}: it then waits until the server is closed,
 * as a hung server would.
 */
public final class ImageServer implements AutoCloseable {

    /** How a path is answered. */
    @FunctionalInterface
    public interface Response {
        void send(HttpExchange exchange) throws IOException;
    }

    private final HttpServer server;
    private final String scheme;
    private final ExecutorService threads = Executors.newCachedThreadPool();
    private final Map<String, AtomicInteger> hits = new ConcurrentHashMap<>();
    private final CountDownLatch closed = new CountDownLatch(1);

    private ImageServer(HttpServer server, String scheme) {
        this.server = server;
        this.scheme = scheme;
        server.setExecutor(threads);
        server.start();
    }

    public static ImageServer http() throws IOException {
        return new ImageServer(HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0),
                "http");
    }

    /** @param tls the server's key and certificate */
    public static ImageServer https(SSLContext tls) throws IOException {
        HttpsServer server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(tls));
        return new ImageServer(server, "https");
    }

    /** Answers {@code path} (and only it) with {@code response}, counting each request. */
    public ImageServer serve(String path, Response response) {
        hits.put(path, new AtomicInteger());
        server.createContext(path, exchange -> {
            try {
                if (exchange.getRequestURI().getPath().equals(path)) {
                    hits.get(path).incrementAndGet();
                    response.send(exchange);
                } else {
                    exchange.sendResponseHeaders(404, -1);
                }
            } finally {
                exchange.close();
            }
        });
        return this;
    }

    /** 200 with the body and its Content-Length. */
    public static Response bytes(byte[] body) {
        return exchange -> {
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
        };
    }

    /** 200 with the body in chunks, no Content-Length. */
    public static Response chunked(byte[] body) {
        return exchange -> {
            exchange.sendResponseHeaders(200, 0);
            OutputStream out = exchange.getResponseBody();
            for (int i = 0; i < body.length; i += 100) {
                out.write(body, i, Math.min(100, body.length - i));
                out.flush();
            }
        };
    }

    public static Response status(int code) {
        return exchange -> exchange.sendResponseHeaders(code, -1);
    }

    public static Response redirect(int code, String location) {
        return exchange -> {
            exchange.getResponseHeaders().set("Location", location);
            exchange.sendResponseHeaders(code, -1);
        };
    }

    /** Holds the calling handler until the server closes, as a hung server would; false if the test never closed. */
    public boolean stallUntilClosed() {
        try {
            return closed.await(10, TimeUnit.MINUTES);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    public int hits(String path) {
        return hits.get(path).get();
    }

    /** The server's URI of a path, with 127.0.0.1 as its host. */
    public URI uri(String path) {
        return URI.create(scheme + "://127.0.0.1:" + port() + path);
    }

    public int port() {
        return server.getAddress().getPort();
    }

    @Override
    public void close() {
        closed.countDown();
        server.stop(0);
        threads.shutdownNow();
        try {
            if (!threads.awaitTermination(60, TimeUnit.SECONDS)) {
                throw new IllegalStateException("a handler of the test server did not end");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UncheckedIOException(new IOException("interrupted while closing the test server", e));
        }
    }
}
