package io.tpostream.ops.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.tpostream.schema.ModelVersion;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The online trainer's meters: {@code tpo_trainer_last_step{metric="loss"}} (and every other value a step reports:
 * rewards, margins, weights, gradient norm), {@code tpo_trainer_steps_total}, {@code tpo_trainer_step_seconds}
 * (time between steps, waiting for pairs included), {@code tpo_trainer_versions_total{status}},
 * {@code tpo_trainer_publish_seconds} and {@code tpo_trainer_version} (the newest published).
 */
public final class TrainerMeters {

    private final MeterRegistry registry;
    private final Map<String, Double> latest = new ConcurrentHashMap<>();
    private final AtomicLong steps = new AtomicLong();
    private final AtomicLong version = new AtomicLong(-1);
    private final Timer stepTime;
    private final Timer publishTime;
    private long lastStepNanos;

    public TrainerMeters(MeterRegistry registry) {
        this.registry = registry;
        Gauge.builder("tpo.trainer.steps", steps, AtomicLong::get).description("Training steps taken")
                .register(registry);
        Gauge.builder("tpo.trainer.version", version, AtomicLong::get).description("Newest published version")
                .register(registry);
        this.stepTime = Timer.builder("tpo.trainer.step").description("Time from one step to the next")
                .register(registry);
        this.publishTime = Timer.builder("tpo.trainer.publish").description("Checkpoint, artifact and transaction")
                .register(registry);
    }

    /** After each step, with its metrics. */
    public synchronized void trained(long totalSteps, Map<String, Double> metrics) {
        long now = System.nanoTime();
        if (lastStepNanos != 0) {
            stepTime.record(Duration.ofNanos(now - lastStepNanos));
        }
        lastStepNanos = now;
        steps.set(totalSteps);
        metrics.forEach((name, value) -> {
            if (latest.put(name, value) == null) {
                Gauge.builder("tpo.trainer.last.step", latest, m -> m.getOrDefault(name, Double.NaN))
                        .description("The last step's metrics").tag("metric", name).register(registry);
            }
        });
    }

    public void published(ModelVersion v, long publishMillis) {
        version.set(v.getVersion());
        publishTime.record(Duration.ofMillis(publishMillis));
        Counter.builder("tpo.trainer.versions").description("Versions published, by status")
                .tag("status", v.getStatus().name()).register(registry).increment();
    }
}
