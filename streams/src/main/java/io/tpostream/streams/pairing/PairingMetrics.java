package io.tpostream.streams.pairing;

import io.tpostream.streams.Outcome;
import io.tpostream.streams.RejectReason;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.common.metrics.stats.CumulativeCount;
import org.apache.kafka.common.metrics.stats.Rate;
import org.apache.kafka.common.metrics.stats.Value;
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
 *   <tr><td>events-in-total, events-in-rate</td><td>thread-id</td><td>feedback records read, good or bad</td></tr>
 *   <tr><td>pairs-out-total, pairs-out-rate</td><td>thread-id</td><td>preference pairs emitted</td></tr>
 *   <tr><td>dead-letters-total, dead-letters-rate</td><td>thread-id, reason</td><td>dead letters written</td></tr>
 *   <tr><td>outcomes-total, outcomes-rate</td><td>thread-id, outcome</td><td>outcome records written: valid
 *   records that ended without a pair of their own (expired unpaired, repeated pair)</td></tr>
 *   <tr><td>state-writes-total, state-writes-rate</td><td>thread-id</td><td>puts and deletes on the stores</td></tr>
 *   <tr><td>held-ratings</td><td>thread-id, task-id</td><td>ratings currently held waiting for a partner</td></tr>
 * </table>
 * Counters live as long as their stream thread; the held-ratings gauge is removed when its task closes.
 */
public final class PairingMetrics {

    public static final String GROUP = "tpo-pairing-metrics";
    public static final String EVENTS_IN = "events-in";
    public static final String PAIRS_OUT = "pairs-out";
    public static final String DEAD_LETTERS = "dead-letters";
    public static final String HELD_RATINGS = "held-ratings";
    public static final String OUTCOMES = "outcomes";
    public static final String STATE_WRITES = "state-writes";

    private final StreamsMetrics metrics;
    private final String threadId;
    private final Map<RejectReason, Sensor> deadLetters = new EnumMap<>(RejectReason.class);
    private final Map<Outcome, Sensor> outcomes = new EnumMap<>(Outcome.class);
    private Sensor stateWrites;
    private Sensor eventsIn;
    private Sensor pairsOut;
    private Sensor heldRatings;

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
        eventsIn.record();
    }

    public void pairOut() {
        if (pairsOut == null) {
            pairsOut = counter(PAIRS_OUT, "preference pairs emitted", Map.of());
        }
        pairsOut.record();
    }

    public void deadLetter(RejectReason reason) {
        deadLetters.computeIfAbsent(reason, r -> counter(DEAD_LETTERS, "dead letters written",
                Map.of("reason", r.name()))).record();
    }

    public void outcome(Outcome outcome) {
        outcomes.computeIfAbsent(outcome, o -> counter(OUTCOMES, "outcome records written",
                Map.of("outcome", o.name()))).record();
    }

    /** A put or delete on a state store by the topology's own code (before caching folds repeated writes). */
    public void stateWrite() {
        if (stateWrites == null) {
            stateWrites = counter(STATE_WRITES, "state store puts and deletes", Map.of());
        }
        stateWrites.record();
    }

    /**
     * Sets the number of ratings the given task holds that have not paired yet: with the pair sources and the dead
     * letters, the third part of the accounting (a held rating that paired is already a pair source).
     */
    public void heldRatings(TaskId task, long held) {
        if (heldRatings == null) {
            Map<String, String> tags = tags(Map.of("task-id", task.toString()));
            heldRatings = metrics.addSensor(sensorName(HELD_RATINGS, tags), Sensor.RecordingLevel.INFO);
            heldRatings.add(new MetricName(HELD_RATINGS, GROUP, "held ratings that have not paired yet", tags),
                    new Value());
        }
        heldRatings.record(held);
    }

    /** Removes the task-level gauge; the thread-level counters stay. */
    public void closeTask() {
        if (heldRatings != null) {
            metrics.removeSensor(heldRatings);
            heldRatings = null;
        }
    }

    private Sensor counter(String name, String description, Map<String, String> extraTags) {
        Map<String, String> tags = tags(extraTags);
        // one sensor per name and tag set: several processors and tasks of a thread share it
        Sensor sensor = metrics.addSensor(sensorName(name, tags), Sensor.RecordingLevel.INFO);
        sensor.add(new MetricName(name + "-total", GROUP, "total " + description, tags), new CumulativeCount());
        sensor.add(new MetricName(name + "-rate", GROUP, "per-second rate of " + description, tags), new Rate());
        return sensor;
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
