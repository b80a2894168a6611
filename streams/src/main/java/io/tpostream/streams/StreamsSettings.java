package io.tpostream.streams;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.DefaultProductionExceptionHandler;
import org.apache.kafka.streams.errors.LogAndFailExceptionHandler;
import org.apache.kafka.streams.errors.LogAndFailProcessingExceptionHandler;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.TreeMap;

/**
 * The Kafka Streams client configuration of the pairing application. {@link #toProperties()} is a pure function of
 * these fields; nothing is read from the environment.
 *
 * @param applicationId    Streams application id: consumer group, transactional id prefix and internal topic prefix
 * @param bootstrapServers Kafka bootstrap servers, host:port[,host:port...]
 * @param stateDir         where the RocksDB state stores live; must survive restarts to avoid a full restore
 * @param commitInterval   how often a task commits. Under exactly_once_v2 every commit ends a Kafka transaction:
 *                         output becomes visible to read_committed consumers (the trainer) only then, so this is
 *                         the floor of end-to-end latency. Each commit also flushes the stores and writes commit
 *                         markers, so short intervals cost throughput (measured here: an EOS aggregate ran ~2.5x
 *                         slower at 100 ms than at-least-once); long intervals add latency and make an aborted
 *                         transaction redo more work
 * @param maxMessageBytes  largest record the app may write: pairs and dead letters carry the input's inline image
 *                         and raw bytes, so this must exceed the largest feedback record. Applied to the producer
 *                         (max.request.size) and the internal changelog topics (max.message.bytes); the pairs and
 *                         dead-letter topics need a matching max.message.bytes where they are created
 * @param extraProperties  any further client properties (security settings, tuning), merged last so they win
 */
public record StreamsSettings(String applicationId, String bootstrapServers, Path stateDir, Duration commitInterval,
                              int maxMessageBytes, Map<String, String> extraProperties) {

    public static final String DEFAULT_APPLICATION_ID = "tpo-pairing";
    public static final Duration DEFAULT_COMMIT_INTERVAL = Duration.ofMillis(100);
    public static final int DEFAULT_MAX_MESSAGE_BYTES = 8 << 20;
    /** What Kafka Streams gives its producers under exactly-once when nobody says otherwise. */
    static final Duration STREAMS_TRANSACTION_TIMEOUT = Duration.ofSeconds(10);

    public StreamsSettings {
        require(applicationId != null && !applicationId.isBlank(), "applicationId must not be blank");
        require(bootstrapServers != null && !bootstrapServers.isBlank(), "bootstrapServers must not be blank");
        Objects.requireNonNull(stateDir, "stateDir");
        require(commitInterval != null && commitInterval.toMillis() >= 1,
                "commitInterval (" + commitInterval + ") must be at least 1 ms");
        require(maxMessageBytes >= 1 << 20, "maxMessageBytes (" + maxMessageBytes + ") must be at least 1 MiB");
        extraProperties = Map.copyOf(Objects.requireNonNull(extraProperties, "extraProperties"));
    }

    /** Settings with the defaults for everything but where Kafka is and where state lives. */
    public static StreamsSettings of(String bootstrapServers, Path stateDir) {
        return new StreamsSettings(DEFAULT_APPLICATION_ID, bootstrapServers, stateDir, DEFAULT_COMMIT_INTERVAL,
                DEFAULT_MAX_MESSAGE_BYTES, Map.of());
    }

    public StreamsSettings withApplicationId(String id) {
        return new StreamsSettings(id, bootstrapServers, stateDir, commitInterval, maxMessageBytes, extraProperties);
    }

    public StreamsSettings withCommitInterval(Duration interval) {
        return new StreamsSettings(applicationId, bootstrapServers, stateDir, interval, maxMessageBytes,
                extraProperties);
    }

    public StreamsSettings withMaxMessageBytes(int bytes) {
        return new StreamsSettings(applicationId, bootstrapServers, stateDir, commitInterval, bytes, extraProperties);
    }

    /** Adds client properties; later ones replace earlier ones of the same name. */
    public StreamsSettings withExtraProperties(Map<String, String> more) {
        Map<String, String> merged = new TreeMap<>(extraProperties);
        merged.putAll(more);
        return new StreamsSettings(applicationId, bootstrapServers, stateDir, commitInterval, maxMessageBytes, merged);
    }

    public Properties toProperties() {
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, String.valueOf(commitInterval.toMillis()));
        // no default serdes: every source, sink and store names its own, and a node that forgot fails at start-up
        // instead of silently using a wrong format

        // never drop a record silently. The topology reads raw bytes and turns bad records into dead letters
        // itself, so these handlers only see infrastructure failures, which must stop the app
        p.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG, LogAndFailExceptionHandler.class.getName());
        p.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG,
                LogAndFailProcessingExceptionHandler.class.getName());
        p.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG, "true"); // the 5.0 default
        // retries retriable send errors, fails on the rest (e.g. a record too large): never RESUME, which drops
        p.put(StreamsConfig.PRODUCTION_EXCEPTION_HANDLER_CLASS_CONFIG, DefaultProductionExceptionHandler.class.getName());

        // every task of these topologies reads one partition of one topic, so there is nothing to wait for to
        // interleave inputs by time; waiting also costs: with idling enabled, Kafka Streams formats trace messages for
        // each empty partition queue on every process call (measured: 5 % of the pairing thread's CPU)
        p.put(StreamsConfig.MAX_TASK_IDLE_MS_CONFIG, String.valueOf(StreamsConfig.MAX_TASK_IDLE_MS_DISABLED));
        // feedback is the audit source: a new application id starts from the beginning of it
        p.put(StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "earliest");
        p.put(StreamsConfig.producerPrefix(ProducerConfig.MAX_REQUEST_SIZE_CONFIG), String.valueOf(maxMessageBytes));
        p.put(StreamsConfig.topicPrefix(TopicConfig.MAX_MESSAGE_BYTES_CONFIG), String.valueOf(maxMessageBytes));
        p.put(StreamsConfig.producerPrefix(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG),
                String.valueOf(transactionTimeout().toMillis()));
        // KIP-892: store writes wait in a buffer until their transaction commits, so a crash leaves the local stores
        // as of the last commit and a restart resumes from them, where without it exactly-once wipes every store and
        // restores it from its changelog. Measured also cheaper per record (the buffer batches RocksDB writes).
        p.put(StreamsConfig.TRANSACTIONAL_STATE_STORES_CONFIG, "true");
        // changelog and output records are small and repetitive (ids, hashes, texts): lz4 halves what the changelogs
        // hold on the broker, for a little CPU on the stream thread
        p.put(StreamsConfig.producerPrefix(ProducerConfig.COMPRESSION_TYPE_CONFIG), "lz4");
        p.putAll(extraProperties);
        return p;
    }

    /**
     * A transaction stays open for a whole commit interval, and the broker aborts one that outlives the producer's
     * transaction timeout, fencing the producer. With Streams' 10 s timeout a commit interval near or above 10 s
     * never commits: every task is fenced, migrated and fenced again. Three intervals leave room for a slow commit.
     */
    Duration transactionTimeout() {
        Duration roomy = commitInterval.multipliedBy(3);
        return roomy.compareTo(STREAMS_TRANSACTION_TIMEOUT) > 0 ? roomy : STREAMS_TRANSACTION_TIMEOUT;
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException("StreamsSettings: " + message);
        }
    }
}
