package io.tpostream.streams;

import io.tpostream.schema.Topics;
import io.tpostream.streams.pairing.FeedbackTopology;
import io.tpostream.streams.pairing.PairingMetrics;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The running pairing application: one Kafka Streams client with the pairing topology, exactly-once, and a
 * failure policy. The caller wires configuration, calls {@link #start()}, and closes it (e.g. from a shutdown
 * hook).
 *
 * <p>Failure policy: a stream thread that dies shuts this client down ({@code SHUTDOWN_CLIENT}). Bad input never
 * gets here; the topology turns it into dead letters. What does get here is a bug or an infrastructure failure
 * that Streams could not recover from by itself (it already handles fenced producers, migrated tasks and corrupted
 * tasks internally). {@code REPLACE_THREAD} would be wrong: the new thread resumes from the last committed offsets
 * and meets the same deterministic failure again, aborting a transaction each time and, for a task marked
 * corrupted under EOS, wiping and restoring its state from the changelog on every round; the client would loop
 * forever while reporting RUNNING. {@code SHUTDOWN_APPLICATION} would stop every instance over a failure that may
 * be local (a full disk). Shutting down this client makes the failure visible (state ERROR,
 * {@link #awaitRunning} throws), lets its partitions move to healthy instances, and leaves the restart decision to
 * whoever supervises the process.
 */
public final class PairingApp implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(PairingApp.class);
    public static final Duration DEFAULT_CLOSE_TIMEOUT = Duration.ofSeconds(30);
    private static final Set<KafkaStreams.State> DEAD = Set.of(KafkaStreams.State.PENDING_ERROR,
            KafkaStreams.State.ERROR, KafkaStreams.State.PENDING_SHUTDOWN, KafkaStreams.State.NOT_RUNNING);

    private final KafkaStreams streams;
    private final Object stateChanged = new Object();
    private volatile Throwable failure;
    private volatile boolean started;

    /** The pairing topology with the given settings. */
    public PairingApp(Topics topics, PairingConfig config, StreamsSettings settings) {
        this(FeedbackTopology.build(topics, config), settings);
    }

    /** Any topology with the same settings and failure policy, e.g. {@link PassThroughTopology} as a baseline. */
    public PairingApp(Topology topology, StreamsSettings settings) {
        this.streams = new KafkaStreams(topology, settings.toProperties());
        streams.setStateListener((now, before) -> {
            LOG.info("streams state {} -> {}", before, now);
            synchronized (stateChanged) {
                stateChanged.notifyAll();
            }
        });
        streams.setUncaughtExceptionHandler(e -> {
            failure = e;
            LOG.error("a stream thread failed; shutting this client down", e);
            return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
        });
    }

    public void start() {
        started = true;
        streams.start();
    }

    /**
     * Waits until the client is RUNNING (joined the group, restored its state, processing).
     *
     * @throws IllegalStateException if it was not started, or failed or shut down instead (with the cause, if any)
     * @throws TimeoutException      if it is still on its way after the timeout (the message says in which state)
     */
    public void awaitRunning(Duration timeout) throws InterruptedException, TimeoutException {
        if (!started) {
            throw new IllegalStateException("awaitRunning before start()");
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (stateChanged) {
            while (true) {
                KafkaStreams.State state = streams.state();
                if (state == KafkaStreams.State.RUNNING) {
                    return;
                }
                if (DEAD.contains(state)) {
                    Throwable cause = failure;
                    throw new IllegalStateException("pairing app is " + state
                            + (cause == null ? "" : " after a stream thread failed: " + cause), cause);
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new TimeoutException("pairing app not RUNNING after " + timeout + ": state is " + state);
                }
                TimeUnit.NANOSECONDS.timedWait(stateChanged, left);
            }
        }
    }

    public KafkaStreams.State state() {
        return streams.state();
    }

    /** Whether the client has stopped or is stopping, by {@link #close} or after a failure. */
    public boolean isDead() {
        return DEAD.contains(streams.state());
    }

    /** What killed a stream thread and so shut this client down, if that happened. */
    public Optional<Throwable> failure() {
        return Optional.ofNullable(failure);
    }

    /**
     * The tasks this client processes now, by task id ("0_2": sub-topology 0, partition 2); empty before the first
     * assignment. Which instance owns which partitions changes with every rebalance.
     */
    public Set<String> activeTasks() {
        Set<String> tasks = new TreeSet<>();
        streams.metadataForLocalThreads().forEach(t -> t.activeTasks().forEach(task -> tasks.add(
                task.taskId().toString())));
        return tasks;
    }

    /** The pairing counters summed over threads: see {@link PairingMetrics#snapshot}. */
    public Map<String, Long> metricsSnapshot() {
        return PairingMetrics.snapshot(streams.metrics());
    }

    /** All client metrics, Kafka's and ours. */
    public Map<MetricName, ? extends Metric> metrics() {
        return streams.metrics();
    }

    /** Stops processing, commits, and closes; true if that finished within the timeout. */
    public boolean close(Duration timeout) {
        return streams.close(timeout);
    }

    @Override
    public void close() {
        if (!close(DEFAULT_CLOSE_TIMEOUT)) {
            LOG.warn("pairing app did not close within {}", DEFAULT_CLOSE_TIMEOUT);
        }
    }
}
