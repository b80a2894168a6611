package io.tpostream.ops.serve;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.tpostream.ops.json.Json;
import io.tpostream.ops.kafka.ClientSettings;
import io.tpostream.ops.metrics.PrometheusMetrics;
import io.tpostream.schema.FeedbackEvent;
import io.tpostream.schema.ModelVersion;
import io.tpostream.trainer.serving.ServingModel;
import io.tpostream.trainer.serving.VersionListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The caption service over HTTP (the JDK's own server), for the model a {@link ServingModel} holds:
 * <pre>
 * POST /v1/captions[?prompt=TEXT][&amp;scores=true]   body: PNG or JPEG bytes → caption, model, model_version, ...
 * POST /v1/feedback                               body: JSON (see {@link FeedbackIntake}) → 202, produced to Kafka
 * GET  /healthz    200 while the process works (503 once the version subscription has failed for good)
 * GET  /readyz     200 once a model is in service, 503 before
 * GET  /metrics    Prometheus text format
 * </pre>
 * Errors are JSON {@code {"error": CODE, "message": TEXT}} with a 4xx status for what the client sent wrong.
 */
public final class CaptionServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(CaptionServer.class);
    private static final Set<String> ROUTES = Set.of("/v1/captions", "/v1/feedback", "/healthz", "/readyz", "/metrics");

    /**
     * @param host         address to bind (127.0.0.1 by default: put a proxy in front to expose it)
     * @param port         0 for any free port
     * @param threads      requests handled at once
     * @param maxBodyBytes largest request body; larger ones get 413
     * @param drain        how long a stop waits for requests in flight
     * @param recentBytes  memory for recent captions, which feedback refers to by id
     */
    public record Settings(String host, int port, int threads, int maxBodyBytes, Duration drain, long recentBytes) {
        public Settings {
            if (threads < 1) {
                throw new IllegalArgumentException("threads must be at least 1, not " + threads);
            }
            if (maxBodyBytes < 1) {
                throw new IllegalArgumentException("maxBodyBytes must be at least 1, not " + maxBodyBytes);
            }
        }
    }

    private final ServingModel serving;
    private final Settings settings;
    private final PrometheusMetrics prometheus;
    private final ServeMetrics metrics;
    private final CaptionService captions;
    private final FeedbackIntake intake;
    private final FeedbackSink sink;
    private final HttpServer server;
    private final ExecutorService executor;
    private final AtomicReference<String> failure = new AtomicReference<>();

    /**
     * Binds and starts serving.
     *
     * @param kafka         where feedback goes (the feedback topic); null: POST /v1/feedback answers 503
     * @param feedbackTopic the feedback topic's name (ignored without Kafka)
     * @throws IOException if the address cannot be bound
     */
    public CaptionServer(ServingModel serving, Settings settings, CaptionService.Settings captionSettings,
                         ClientSettings kafka, String feedbackTopic) throws IOException {
        this.serving = serving;
        this.settings = settings;
        this.prometheus = new PrometheusMetrics();
        this.metrics = new ServeMetrics(prometheus.registry(), serving);
        RecentCaptions recent = new RecentCaptions(settings.recentBytes());
        this.captions = new CaptionService(serving, captionSettings, recent);
        this.intake = new FeedbackIntake(recent, Clock.systemUTC());
        this.sink = kafka == null ? null : new KafkaFeedbackSink(kafka, feedbackTopic, prometheus.registry());
        AtomicInteger n = new AtomicInteger();
        this.executor = Executors.newFixedThreadPool(settings.threads(), r -> {
            Thread t = new Thread(r, "tpo-serve-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        try {
            this.server = HttpServer.create(new InetSocketAddress(settings.host(), settings.port()), 64);
        } catch (IOException e) {
            close();
            throw new IOException("cannot listen on " + settings.host() + ":" + settings.port() + ": " + e.getMessage(),
                    e);
        }
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    /** The port it listens on (the one picked, for port 0). */
    public int port() {
        return server.getAddress().getPort();
    }

    /** What the service must hear from its model subscriber, for its metrics and /healthz. */
    public VersionListener versionListener() {
        return new VersionListener() {
            @Override
            public void applied(ModelVersion version) {
                metrics.applied(version);
            }

            @Override
            public void refused(ModelVersion version, String reason) {
                metrics.refused(version, reason);
            }

            @Override
            public void failed(Throwable cause) {
                failure.set("the model-version subscription stopped: " + cause.getMessage());
            }
        };
    }

    private void handle(HttpExchange exchange) {
        long start = System.nanoTime();
        String path = exchange.getRequestURI().getPath();
        String route = ROUTES.contains(path) ? path : "other";
        int status;
        try {
            status = route(exchange, path);
        } catch (CaptionService.RefusedException e) {
            status = errorQuietly(exchange, e.status(), e.code(), e.getMessage());
        } catch (IOException e) {
            // the client went away, or sent a broken body: nothing more to say to it
            LOG.debug("request {} {} failed: {}", exchange.getRequestMethod(), path, e.toString());
            status = 499;
        } catch (RuntimeException e) {
            LOG.error("request {} {} failed", exchange.getRequestMethod(), path, e);
            status = errorQuietly(exchange, 500, "internal", "the service failed on this request: " + e);
        } finally {
            exchange.close();
        }
        metrics.request(route, status, System.nanoTime() - start);
    }

    private int route(HttpExchange exchange, String path) throws IOException {
        String method = exchange.getRequestMethod();
        return switch (path) {
            case "/v1/captions" -> requireMethod(method, "POST") ? captions(exchange) : notAllowed(exchange, "POST");
            case "/v1/feedback" -> requireMethod(method, "POST") ? feedback(exchange) : notAllowed(exchange, "POST");
            case "/healthz" -> requireMethod(method, "GET") ? health(exchange) : notAllowed(exchange, "GET");
            case "/readyz" -> requireMethod(method, "GET") ? ready(exchange) : notAllowed(exchange, "GET");
            case "/metrics" -> requireMethod(method, "GET")
                    ? send(exchange, 200, PrometheusMetrics.CONTENT_TYPE, prometheus.scrape())
                    : notAllowed(exchange, "GET");
            default -> error(exchange, 404, "not_found", "no such endpoint: " + path + " (endpoints: POST "
                    + "/v1/captions, POST /v1/feedback, GET /healthz, GET /readyz, GET /metrics)");
        };
    }

    private static boolean requireMethod(String method, String expected) {
        return method.equalsIgnoreCase(expected) || expected.equals("GET") && method.equalsIgnoreCase("HEAD");
    }

    private int notAllowed(HttpExchange exchange, String allowed) throws IOException {
        exchange.getResponseHeaders().set("Allow", allowed);
        return error(exchange, 405, "method_not_allowed", exchange.getRequestMethod() + " is not allowed on "
                + exchange.getRequestURI().getPath() + "; use " + allowed);
    }

    private int captions(HttpExchange exchange) throws IOException {
        Map<String, String> query = query(exchange, Set.of("prompt", "scores"));
        boolean scores = switch (query.getOrDefault("scores", "false")) {
            case "true", "1" -> true;
            case "false", "0" -> false;
            default -> throw new CaptionService.RefusedException(400, "bad_parameter",
                    "scores must be true or false, not \"" + query.get("scores") + "\"");
        };
        byte[] body = body(exchange);
        CaptionService.Caption c = captions.caption(body, query.get("prompt"), scores);
        ObjectNode json = Json.mapper().createObjectNode()
                .put("caption", c.caption())
                .put("caption_id", c.captionId())
                .put("model", c.modelName())
                .put("model_version", c.modelVersion())
                .put("prompt", c.prompt())
                .put("image_sha256", c.imageSha256());
        if (c.tokens() != null) {
            ArrayNode tokens = json.putArray("tokens");
            c.tokens().forEach(t -> tokens.addObject().put("text", t.text()).put("score", t.score()));
        }
        return sendJson(exchange, 200, json);
    }

    private int feedback(HttpExchange exchange) throws IOException {
        query(exchange, Set.of());
        byte[] body = body(exchange);
        FeedbackEvent event = intake.event(body);
        String kind = event.getKind().name().toLowerCase(java.util.Locale.ROOT);
        if (sink == null) {
            metrics.feedback(kind, "unavailable");
            throw new CaptionService.RefusedException(503, "feedback_unavailable",
                    "this service runs without Kafka (--checkpoint without --bootstrap-servers): feedback has nowhere"
                            + " to go");
        }
        String where;
        try {
            where = sink.send(event);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            metrics.feedback(kind, "failed");
            throw new CaptionService.RefusedException(503, "feedback_failed", "interrupted while producing feedback");
        } catch (Exception e) {
            metrics.feedback(kind, "failed");
            LOG.warn("cannot produce feedback {}: {}", event.getEventId(), e.toString());
            throw new CaptionService.RefusedException(503, "feedback_failed", "Kafka did not take the feedback: "
                    + e.getMessage());
        }
        metrics.feedback(kind, "produced");
        return sendJson(exchange, 202, Json.mapper().createObjectNode()
                .put("event_id", event.getEventId())
                .put("model", event.getModelName())
                .put("model_version", event.getModelVersion())
                .put("record", where));
    }

    private int health(HttpExchange exchange) throws IOException {
        String problem = failure.get();
        return problem == null
                ? sendJson(exchange, 200, Json.mapper().createObjectNode().put("status", "ok"))
                : sendJson(exchange, 503, Json.mapper().createObjectNode().put("status", "failing")
                        .put("message", problem));
    }

    private int ready(HttpExchange exchange) throws IOException {
        Optional<ModelVersion> v = serving.version();
        ObjectNode json = Json.mapper().createObjectNode().put("ready", v.isPresent());
        v.ifPresent(version -> json.put("model", version.getModelName()).put("model_version", version.getVersion()));
        return sendJson(exchange, v.isPresent() ? 200 : 503, json);
    }

    private Map<String, String> query(HttpExchange exchange, Set<String> allowed) {
        Map<String, String> out = new LinkedHashMap<>();
        String raw = exchange.getRequestURI().getRawQuery();
        if (raw == null || raw.isEmpty()) {
            return out;
        }
        for (String part : raw.split("&")) {
            if (part.isEmpty()) {
                continue;
            }
            int eq = part.indexOf('=');
            String name;
            String value;
            try {
                name = URLDecoder.decode(eq < 0 ? part : part.substring(0, eq), StandardCharsets.UTF_8);
                value = eq < 0 ? "" : URLDecoder.decode(part.substring(eq + 1), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                throw new CaptionService.RefusedException(400, "bad_parameter", "malformed query: " + e.getMessage());
            }
            if (!allowed.contains(name)) {
                throw new CaptionService.RefusedException(400, "bad_parameter", "unknown parameter '" + name + "'"
                        + (allowed.isEmpty() ? "; this endpoint takes none" : "; parameters: " + String.join(", ",
                        new java.util.TreeSet<>(allowed))));
            }
            if (out.put(name, value) != null) {
                throw new CaptionService.RefusedException(400, "bad_parameter", "parameter '" + name
                        + "' is given twice");
            }
        }
        return out;
    }

    /** The request body, at most {@link Settings#maxBodyBytes} of it. */
    private byte[] body(HttpExchange exchange) throws IOException {
        String declared = exchange.getRequestHeaders().getFirst("Content-Length");
        if (declared != null) {
            try {
                if (Long.parseLong(declared.trim()) > settings.maxBodyBytes()) {
                    throw tooLarge();
                }
            } catch (NumberFormatException e) {
                throw new CaptionService.RefusedException(400, "bad_request", "Content-Length is not a number");
            }
        }
        try (InputStream in = exchange.getRequestBody()) {
            byte[] body = in.readNBytes(settings.maxBodyBytes() + 1);
            if (body.length > settings.maxBodyBytes()) {
                throw tooLarge();
            }
            return body;
        }
    }

    private CaptionService.RefusedException tooLarge() {
        return new CaptionService.RefusedException(413, "body_too_large", "the body is larger than the "
                + settings.maxBodyBytes() + " bytes this service accepts (--max-body-bytes)");
    }

    private int error(HttpExchange exchange, int status, String code, String message) throws IOException {
        return sendJson(exchange, status, Json.mapper().createObjectNode().put("error", code).put("message", message));
    }

    private int errorQuietly(HttpExchange exchange, int status, String code, String message) {
        try {
            return error(exchange, status, code, message);
        } catch (IOException | RuntimeException e) {
            return status; // headers may be gone already; the status is still what the request came to
        }
    }

    private int sendJson(HttpExchange exchange, int status, ObjectNode json) throws IOException {
        return send(exchange, status, "application/json", Json.line(json) + "\n");
    }

    private static int send(HttpExchange exchange, int status, String contentType, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", contentType);
        boolean head = exchange.getRequestMethod().equalsIgnoreCase("HEAD");
        exchange.sendResponseHeaders(status, head ? -1 : bytes.length);
        if (!head) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
        return status;
    }

    /** Stops taking requests, lets those in flight finish (up to the drain time), closes the Kafka producer. */
    @Override
    public void close() {
        if (server != null) {
            server.stop((int) Math.max(0, settings.drain().toSeconds()));
        }
        executor.shutdown();
        try {
            executor.awaitTermination(settings.drain().toMillis() + 1000, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (sink != null) {
            sink.close();
        }
        prometheus.close();
    }
}
