package io.tpostream.ops.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * A Kafka client's own metrics (a Streams app's, with its producers, consumers and state stores, and the pairing
 * counters it records) as Micrometer gauges named {@code kafka.<group>.<name>} with the metric's tags. Clients add
 * metrics as they run (per partition, per task), so {@link #refresh} picks up new ones; call it before a scrape.
 */
public final class KafkaClientGauges {

    private final MeterRegistry registry;
    private final Supplier<Map<MetricName, ? extends Metric>> metrics;
    private final Set<MetricName> bound = new HashSet<>();

    public KafkaClientGauges(MeterRegistry registry, Supplier<Map<MetricName, ? extends Metric>> metrics) {
        this.registry = registry;
        this.metrics = metrics;
    }

    public synchronized void refresh() {
        Map<MetricName, ? extends Metric> now = metrics.get();
        for (Map.Entry<MetricName, ? extends Metric> e : now.entrySet()) {
            MetricName name = e.getKey();
            if (!bound.add(name) || !(e.getValue().metricValue() instanceof Number)) {
                continue;
            }
            List<Tag> tags = new ArrayList<>();
            name.tags().forEach((k, v) -> tags.add(Tag.of(k, v)));
            try {
                Gauge.builder("kafka." + name.group().replace("-metrics", "") + "." + name.name(), metrics,
                                m -> value(m.get().get(name)))
                        .description(name.description()).tags(tags).register(registry);
            } catch (IllegalArgumentException differentTagKeys) {
                // Prometheus wants one set of tag keys per name: the first set bound wins, the variant is left out
            }
        }
    }

    private static double value(Metric metric) {
        return metric != null && metric.metricValue() instanceof Number n ? n.doubleValue() : Double.NaN;
    }
}
