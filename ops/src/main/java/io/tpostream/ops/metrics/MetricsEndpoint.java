package io.tpostream.ops.metrics;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * {@code GET /metrics} in the Prometheus text format on a port of its own, for processes that serve nothing else
 * ({@code tpo streams}, {@code tpo train}). One daemon thread; close it to free the port.
 */
public final class MetricsEndpoint implements AutoCloseable {

    private final HttpServer server;

    private MetricsEndpoint(HttpServer server) {
        this.server = server;
    }

    /**
     * @param beforeScrape run before each scrape (e.g. to pick up client metrics that appeared since the last one)
     * @throws IOException if the address cannot be bound, saying which
     */
    public static MetricsEndpoint start(PrometheusMetrics metrics, String host, int port, Runnable beforeScrape)
            throws IOException {
        HttpServer server;
        try {
            server = HttpServer.create(new InetSocketAddress(host, port), 16);
        } catch (IOException e) {
            throw new IOException("cannot serve metrics on " + host + ":" + port + ": " + e.getMessage(), e);
        }
        server.createContext("/", exchange -> {
            try (exchange) {
                if (!exchange.getRequestURI().getPath().equals("/metrics")) {
                    send(exchange, 404, "text/plain; charset=utf-8", "metrics are at /metrics\n");
                } else if (!exchange.getRequestMethod().equalsIgnoreCase("GET")) {
                    send(exchange, 405, "text/plain; charset=utf-8", "use GET\n");
                } else {
                    beforeScrape.run();
                    send(exchange, 200, PrometheusMetrics.CONTENT_TYPE, metrics.scrape());
                }
            }
        });
        server.setExecutor(null); // the server's own (single, daemon) dispatcher thread: scrapes are rare and quick
        server.start();
        return new MetricsEndpoint(server);
    }

    private static void send(HttpExchange exchange, int status, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", type);
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    public int port() {
        return server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
