package io.tpostream.ops.kafka;

import io.tpostream.streams.StreamsSettings;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.StreamsConfig;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.TreeMap;

/**
 * The one place where Kafka client settings are made, so that every client of the system (CLI, streams app,
 * trainer, subscriber, demo) connects the same way: the bootstrap servers plus the connection settings of an
 * optional client properties file ({@code --command-config}: {@code security.protocol}, {@code sasl.*},
 * {@code ssl.*}, ... exactly as for Kafka's own tools).
 *
 * <p>The factory methods return fresh {@link Properties}; callers add their own settings (serializers,
 * transactional id, tuning) on top. Every consumer reads with {@code isolation.level=read_committed}.
 */
public final class ClientSettings {

    /**
     * Largest record a producer of this system may send: pairs and dead letters wrap a whole feedback event
     * (which may carry its image inline), so they must be allowed to be larger than feedback.
     */
    public static final int MAX_REQUEST_BYTES = TopicPlanner.DERIVED_MAX_MESSAGE_BYTES;

    /** Never readable from aborted transactions, whatever a properties file says. */
    private static final Map<String, String> READ_COMMITTED =
            Map.of(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");

    private final String bootstrapServers;
    private final Map<String, String> connection;

    private ClientSettings(String bootstrapServers, Map<String, String> connection) {
        this.bootstrapServers = bootstrapServers;
        this.connection = Collections.unmodifiableMap(new LinkedHashMap<>(connection));
    }

    /** Plaintext connection to the given {@code host:port[,host:port...]}. */
    public static ClientSettings of(String bootstrapServers) {
        return of(bootstrapServers, Map.of());
    }

    /** Connection settings given as a map (e.g. in tests); {@code bootstrap.servers} in it is ignored. */
    public static ClientSettings of(String bootstrapServers, Map<String, String> connection) {
        Objects.requireNonNull(bootstrapServers, "bootstrapServers");
        if (bootstrapServers.isBlank()) {
            throw new IllegalArgumentException("bootstrap servers must not be empty");
        }
        Map<String, String> copy = new LinkedHashMap<>(connection);
        copy.remove(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG);
        return new ClientSettings(bootstrapServers.trim(), copy);
    }

    /**
     * Bootstrap servers and a client properties file. If {@code bootstrapServers} is null, the file's
     * {@code bootstrap.servers} is used.
     *
     * @param commandConfig a Java properties file, or null for none
     * @throws IllegalArgumentException if the file cannot be read or no bootstrap servers are known
     */
    public static ClientSettings load(String bootstrapServers, Path commandConfig) {
        Map<String, String> fromFile = commandConfig == null ? Map.of() : readProperties(commandConfig);
        String servers = bootstrapServers != null && !bootstrapServers.isBlank()
                ? bootstrapServers
                : fromFile.get(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG);
        if (servers == null || servers.isBlank()) {
            throw new IllegalArgumentException("no Kafka bootstrap servers: pass --bootstrap-servers HOST:PORT, set "
                    + "TPO_BOOTSTRAP_SERVERS, or start a local broker with `tpo broker` and use the address it prints");
        }
        return of(servers, fromFile);
    }

    private static Map<String, String> readProperties(Path file) {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(r);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("client properties file " + file + " does not exist");
        } catch (IOException | IllegalArgumentException e) {
            throw new IllegalArgumentException("cannot read client properties file " + file + ": " + e.getMessage(), e);
        }
        Map<String, String> m = new LinkedHashMap<>();
        p.stringPropertyNames().stream().sorted().forEach(k -> m.put(k, p.getProperty(k).trim()));
        return m;
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }

    /** The settings from the client properties file (security etc.), without bootstrap servers. */
    public Map<String, String> connection() {
        return connection;
    }

    /** Bootstrap servers plus connection settings: what every kind of client starts from. */
    /**
     * Bootstrap servers and the connection (security) settings as a map, for clients that set their own roles
     * (the trainer's transactional producer, the subscriber's group-less consumer).
     */
    public Map<String, Object> clientConfig() {
        Map<String, Object> out = new LinkedHashMap<>();
        common().forEach((k, v) -> out.put(k.toString(), v));
        return out;
    }

    public Properties common() {
        return build(Map.of(), Map.of());
    }

    /** {@link #common()} as a map, the form the trainer and the subscriber take (they add their own settings). */
    public Map<String, Object> commonMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        common().forEach((k, v) -> m.put((String) k, v));
        return m;
    }

    public Properties admin() {
        return common();
    }

    /** Durable, idempotent producer: every acknowledged record is on all in-sync replicas, never duplicated. */
    public Properties producer() {
        return build(Map.of(
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true",
                ProducerConfig.MAX_REQUEST_SIZE_CONFIG, String.valueOf(MAX_REQUEST_BYTES)), Map.of());
    }

    /** A transactional producer (for read-process-write with committed offsets). */
    public Properties transactionalProducer(String transactionalId) {
        Properties p = producer();
        p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, Objects.requireNonNull(transactionalId));
        return p;
    }

    /**
     * A consumer that sees only committed records and commits offsets only when told to (the system commits
     * deliberately, e.g. inside the trainer's transaction).
     *
     * @param groupId the consumer group, or null for a consumer that assigns partitions itself
     */
    public Properties consumer(String groupId) {
        Map<String, String> forced = new LinkedHashMap<>(READ_COMMITTED);
        if (groupId != null) {
            forced.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        }
        return build(Map.of(
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false",
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"), forced);
    }

    /**
     * A Kafka Streams application. Its consumers read committed records also under at-least-once processing
     * (with exactly-once, Streams sets that itself); its producers may write pairs that embed a whole feedback event.
     */
    public Properties streams(String applicationId) {
        Map<String, String> forced = new LinkedHashMap<>(READ_COMMITTED);
        forced.put(StreamsConfig.APPLICATION_ID_CONFIG, Objects.requireNonNull(applicationId));
        return build(Map.of(StreamsConfig.producerPrefix(ProducerConfig.MAX_REQUEST_SIZE_CONFIG),
                String.valueOf(MAX_REQUEST_BYTES)), forced);
    }

    /**
     * The settings of a streams application such as the pairing app: {@link #streams(String)}'s properties
     * (connection and security settings included) on top of {@link StreamsSettings}' exactly-once defaults, with
     * room for records up to {@link #MAX_REQUEST_BYTES}.
     *
     * @param stateDir where its state stores live; must survive restarts to avoid restoring from the changelogs
     */
    public StreamsSettings streamsSettings(String applicationId, Path stateDir) {
        Properties p = streams(applicationId);
        Map<String, String> extra = new TreeMap<>();
        p.stringPropertyNames().forEach(k -> extra.put(k, p.getProperty(k)));
        // StreamsSettings owns these two
        extra.remove(StreamsConfig.APPLICATION_ID_CONFIG);
        extra.remove(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG);
        return StreamsSettings.of(bootstrapServers, stateDir)
                .withApplicationId(applicationId)
                .withMaxMessageBytes(MAX_REQUEST_BYTES)
                .withExtraProperties(extra);
    }

    /** Our defaults, then the file's settings (they win), then what no file may change. */
    private Properties build(Map<String, String> defaults, Map<String, String> forced) {
        Properties p = new Properties();
        p.putAll(defaults);
        p.putAll(connection);
        p.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.putAll(forced);
        return p;
    }

    /** For messages: the servers and the security protocol, never secrets. */
    @Override
    public String toString() {
        return bootstrapServers + " (" + connection.getOrDefault(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "PLAINTEXT")
                + ")";
    }
}
