package io.tpostream.streams.pairing;

import io.tpostream.streams.Outcome;
import io.tpostream.streams.RejectReason;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.metrics.KafkaMetric;
import org.apache.kafka.common.metrics.MeasurableStat;
import org.apache.kafka.common.metrics.MetricConfig;
import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.streams.StreamsMetrics;
import org.apache.kafka.streams.processor.TaskId;

import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * The pairing topology's own metrics, registered as Kafka Streams custom sensors so they appear in
 * {@code KafkaStreams#metrics()} (and JMX) next to Kafka's, and in {@code TopologyTestDriver#metrics()}.
 *
 * <table>
 *   <caption>metrics in group {@value #GROUP}</caption>
 *   <tr><th>name</th><th>tags</th><th>meaning</th></tr>
 *   <tr><td>events-in-total</td><td>thread-id</td><td>feedback records read, good or bad</td></tr>
 *   <tr><td>pairs-out-total</td><td>thread-id</td><td>preference pairs emitted</td></tr>
 *   <tr><td>dead-letters-total</td><td>thread-id, reason</td><td>dead letters written</td></tr>
 *   <tr><td>outcomes-total</td><td>thread-id, outcome</td><td>outcome records written: valid records that ended
 *   without a pair of their own (expired unpaired, repeated pair)</td></tr>
 *   <tr><td>state-writes-total</td><td>thread-id</td><td>puts and deletes on the stores</td></tr>
 *   <tr><td>held-ratings</td><td>thread-id, task-id</td><td>ratings currently held waiting for a partner</td></tr>
 * </table>
 * Counters live as long as their stream thread; the held-ratings gauge is removed when its task closes. They are
 * plain counts the stream thread bumps and a reader measures when it asks: a Kafka sensor takes a lock and reads
 * the clock on every record, which measured as 5 % of the stream thread. Rates are left to whoever reads the totals
 * (Prometheus, the progress line).
 */
public final class PairingMetrics {

    public static final String GROUP = "tpo-pairing-metrics";
    public static final String EVENTS_IN = "events-in";
    public static final String PAIRS_OUT = "pairs-out";
    public static final String DEAD_LETTERS = "dead-letters";
    public static final String HELD_RATINGS = "held-ratings";
    public static final String OUTCOMES = "outcomes";
    public static final String STATE_WRITES = "state-writes";

    /**
     * A count or level written by one stream thread and read by any: a volatile field, as there is a single writer.
     * It is the metric's measurable, so Kafka reads it without anyone recording into a sensor.
     */
    private static final class Count implements MeasurableStat {
        private volatile long value;

        void add() {
            value++;
        }

        void set(long v) {
            value = v;
        }

        @Override
        public double measure(MetricConfig config, long now) {
            return value;
        }

        @Override
        public void record(MetricConfig config, double v, long timeMs) {
            value = (long) v;
        }
    }

    private final StreamsMetrics metrics;
    private final String threadId;
    private final Map<RejectReason, Count> deadLetters = new EnumMap<>(RejectReason.class);
    private final Map<Outcome, Count> outcomes = new EnumMap<>(Outcome.class);
    private Count stateWrites;
    private Count eventsIn;
    private Count pairsOut;
    private Count heldRatings;
    private Sensor heldRatingsSensor;

    private PairingMetrics(StreamsMetrics metrics, String threadId) {
        this.metrics = metrics;
        this.threadId = threadId;
    }

    /** Binds to the calling stream thread: call from a processor's init(). */
    public static PairingMetrics forCurrentThread(StreamsMetrics metrics) {
        return new PairingMetrics(metrics, Thread.currentThread().getName());
    }

    public void eventIn() {
        if (eventsIn == null) {
            eventsIn = counter(EVENTS_IN, "feedback records read, good or bad", Map.of());
        }
        eventsIn.add();
    }

    public void pairOut() {
        if (pairsOut == null) {
            pairsOut = counter(PAIRS_OUT, "preference pairs emitted", Map.of());
        }
        pairsOut.add();
    }

    public void deadLetter(RejectReason reason) {
        deadLetters.computeIfAbsent(reason, r -> counter(DEAD_LETTERS, "dead letters written",
                Map.of("reason", r.name()))).add();
    }

    public void outcome(Outcome outcome) {
        outcomes.computeIfAbsent(outcome, o -> counter(OUTCOMES, "outcome records written",
                Map.of("outcome", o.name()))).add();
    }

    /** A put or delete on a state store by the topology's own code (before caching folds repeated writes). */
    public void stateWrite() {
        if (stateWrites == null) {
            stateWrites = counter(STATE_WRITES, "state store puts and deletes", Map.of());
        }
        stateWrites.add();
    }

    /**
     * Sets the number of ratings the given task holds that have not paired yet: with the pair sources and the dead
     * letters, the third part of the accounting (a held rating that paired is already a pair source).
     */
    public void heldRatings(TaskId task, long held) {
        if (heldRatings == null) {
            Map<String, String> tags = tags(Map.of("task-id", task.toString()));
            heldRatingsSensor = metrics.addSensor(sensorName(HELD_RATINGS, tags), Sensor.RecordingLevel.INFO);
            heldRatings = new Count();
            heldRatingsSensor.add(new MetricName(HELD_RATINGS, GROUP, "held ratings that have not paired yet",
                    tags), heldRatings);
        }
        heldRatings.set(held);
    }

    /** Removes the task-level gauge; the thread-level counters stay. */
    public void closeTask() {
        if (heldRatingsSensor != null) {
            metrics.removeSensor(heldRatingsSensor);
            heldRatingsSensor = null;
            heldRatings = null;
        }
    }

    /**
     * The thread's counter of this name and tags: one per thread, shared by the processors and tasks of the thread,
     * so it is looked up among the registered metrics before one is added.
     */
    private Count counter(String name, String description, Map<String, String> extraTags) {
        Map<String, String> tags = tags(extraTags);
        MetricName total = new MetricName(name + "-total", GROUP, "total " + description, tags);
        if (metrics.metrics().get(total) instanceof KafkaMetric registered
                && registered.measurable() instanceof Count existing) {
            return existing;
        }
        Count count = new Count();
        metrics.addSensor(sensorName(name, tags), Sensor.RecordingLevel.INFO).add(total, count);
        return count;
    }
    private Map<String, String> tags(Map<String, String> extra) {
        Map<String, String> tags = new LinkedHashMap<>();
        tags.put("thread-id", threadId);
        tags.putAll(extra);
        return tags;
    }

    private static String sensorName(String name, Map<String, String> tags) {
        return GROUP + "." + name + "." + tags;
    }

    /**
     * The counters summed over threads and tasks, for a progress line: {@code events-in}, {@code pairs-out},
     * {@code dead-letters}, {@code dead-letters.<REASON>} (only reasons seen so far), {@code outcomes},
     * {@code outcomes.<OUTCOME>}, {@code held-ratings} and {@code state-writes} (once there was one). events-in,
     * pairs-out, dead-letters, outcomes and held-ratings are always present (0 before any record).
     */
    public static Map<String, Long> snapshot(Map<MetricName, ? extends Metric> all) {
        Map<String, Long> out = new TreeMap<>();
        for (String name : new String[] {EVENTS_IN, PAIRS_OUT, DEAD_LETTERS, OUTCOMES, HELD_RATINGS}) {
            out.put(name, 0L);
        }
        all.forEach((name, metric) -> {
            if (!GROUP.equals(name.group())) {
                return;
            }
            long value = Math.round(((Number) metric.metricValue()).doubleValue());
            switch (name.name()) {
                case EVENTS_IN + "-total" -> out.merge(EVENTS_IN, value, Long::sum);
                case PAIRS_OUT + "-total" -> out.merge(PAIRS_OUT, value, Long::sum);
                case HELD_RATINGS -> out.merge(HELD_RATINGS, value, Long::sum);
                case STATE_WRITES + "-total" -> out.merge(STATE_WRITES, value, Long::sum);
                case OUTCOMES + "-total" -> {
                    out.merge(OUTCOMES, value, Long::sum);
                    out.merge(OUTCOMES + "." + name.tags().get("outcome"), value, Long::sum);
                }
                case DEAD_LETTERS + "-total" -> {
                    out.merge(DEAD_LETTERS, value, Long::sum);
                    out.merge(DEAD_LETTERS + "." + name.tags().get("reason"), value, Long::sum);
                }
                default -> {
                    // rates: not part of the snapshot
                }
            }
        });
        return out;
    }
}
