package io.tpostream.ops.serve;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.tpostream.schema.ModelVersion;
import io.tpostream.trainer.serving.ServingModel;
import io.tpostream.trainer.serving.VersionListener;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The caption service's own meters (Prometheus names):
 * <ul>
 *   <li>{@code tpo_serve_request_seconds} histogram by route and status: request latency</li>
 *   <li>{@code tpo_serve_requests_total} by route and status</li>
 *   <li>{@code tpo_serve_model_version}: the version in service (-1 before the first)</li>
 *   <li>{@code tpo_serve_model_swaps_total}: hot swaps to a newer version (the first load is not one)</li>
 *   <li>{@code tpo_serve_versions_applied_total}, {@code tpo_serve_versions_refused_total}</li>
 *   <li>{@code tpo_serve_feedback_total} by kind and outcome</li>
 * </ul>
 */
final class ServeMetrics implements VersionListener {

    /** Histogram buckets: a micro model answers in milliseconds, a 7B one on a CPU in seconds. */
    private static final Duration[] BUCKETS = java.util.stream.Stream.of(5, 10, 25, 50, 100, 250, 500, 1000, 2500,
            5000, 10000, 30000).map(Duration::ofMillis).toArray(Duration[]::new);

    private final MeterRegistry registry;
    private final Counter swaps;
    private final Counter applied;
    private final Counter refused;
    private final AtomicBoolean loaded = new AtomicBoolean();

    ServeMetrics(MeterRegistry registry, ServingModel serving) {
        this.registry = registry;
        Gauge.builder("tpo.serve.model.version", serving,
                        s -> s.version().map(v -> (double) v.getVersion()).orElse(-1.0))
                .description("The model version in service; -1 before the first is loaded").register(registry);
        this.swaps = Counter.builder("tpo.serve.model.swaps").description("Hot swaps to a newer model version")
                .register(registry);
        this.applied = Counter.builder("tpo.serve.versions.applied").description("Model versions put in service")
                .register(registry);
        this.refused = Counter.builder("tpo.serve.versions.refused")
                .description("Model versions refused (bad signature, tampered artifact, unloadable)")
                .register(registry);
    }

    void request(String route, int status, long nanos) {
        String code = Integer.toString(status);
        Timer.builder("tpo.serve.request").description("Request latency").tags("route", route, "status", code)
                .serviceLevelObjectives(BUCKETS).register(registry)
                .record(Duration.ofNanos(nanos));
        Counter.builder("tpo.serve.requests").description("Requests by route and status")
                .tags("route", route, "status", code).register(registry).increment();
    }

    void feedback(String kind, String outcome) {
        Counter.builder("tpo.serve.feedback").description("Feedback received, by kind and outcome")
                .tags("kind", kind, "outcome", outcome).register(registry).increment();
    }

    @Override
    public void applied(ModelVersion version) {
        applied.increment();
        if (loaded.getAndSet(true)) {
            swaps.increment();
        }
    }

    @Override
    public void refused(ModelVersion version, String reason) {
        refused.increment();
    }
}
