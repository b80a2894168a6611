package io.tpostream.ops.broker;

import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.properties.MetaProperties;
import org.apache.kafka.metadata.properties.PropertiesUtils;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.MetadataVersion;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real single-node Kafka (KRaft, combined broker and controller) inside this JVM, bound to 127.0.0.1.
 *
 * <p>It can be stopped and started again on the same data directory and the same ports, so that tests can
 * restart "the cluster" under running clients. The directory is formatted only the first time; later starts
 * reuse its cluster id, topics and records.
 *
 * <p>The {@value #INTERNAL_LISTENER} listener always exists (inter-broker traffic and the readiness probe use
 * it); secured listeners for clients are added with {@link Builder#listener}, and their settings (JAAS, key
 * stores) go in through {@link Builder#override}.
 *
 * <pre>{@code
 * try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.builder().start()) {
 *     String bootstrap = broker.bootstrapServers();   // "127.0.0.1:<port>"
 * }
 * }</pre>
 */
public final class EmbeddedKafkaBroker implements AutoCloseable {

    /** The plaintext listener every embedded broker has; {@link #bootstrapServers()} points at it. */
    public static final String INTERNAL_LISTENER = "PLAINTEXT";
    private static final String CONTROLLER_LISTENER = "CONTROLLER";
    private static final int NODE_ID = 1;
    private static final String META_PROPERTIES = "meta.properties";

    private final Path dataDir;
    private final boolean temporaryDataDir;
    private final Map<String, Listener> listeners;
    private final Map<String, String> settings;
    private final Duration startupTimeout;

    private KafkaRaftServer server;
    private String clusterId;

    private EmbeddedKafkaBroker(Path dataDir, boolean temporaryDataDir, Map<String, Listener> listeners,
                                Map<String, String> settings, Duration startupTimeout) {
        this.dataDir = dataDir;
        this.temporaryDataDir = temporaryDataDir;
        this.listeners = listeners;
        this.settings = settings;
        this.startupTimeout = startupTimeout;
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Formats the data directory if it is new, starts the broker and waits until it answers describeCluster.
     * Does nothing if it is already running.
     *
     * @throws IllegalStateException if the broker does not start or answer within the startup timeout
     */
    public synchronized EmbeddedKafkaBroker start() {
        if (server != null) {
            return this;
        }
        clusterId = formatIfNew();
        KafkaRaftServer starting = new KafkaRaftServer(new KafkaConfig(settings), Time.SYSTEM);
        try {
            starting.startup();
            server = starting;
            awaitReady();
        } catch (RuntimeException e) {
            server = null;
            shutDownQuietly(starting);
            throw new IllegalStateException("Kafka broker did not start on " + bootstrapServers() + " (data dir "
                    + dataDir + "): " + rootMessage(e), e);
        }
        return this;
    }

    /** Controlled shutdown; data and ports are kept for a later {@link #start()}. Does nothing if stopped. */
    public synchronized void stop() {
        if (server != null) {
            KafkaRaftServer stopping = server;
            server = null;
            stopping.shutdown();
            stopping.awaitShutdown();
        }
    }

    /** Stops and starts again on the same data directory and ports. */
    public synchronized void restart() {
        stop();
        start();
    }

    public synchronized boolean isRunning() {
        return server != null;
    }

    /** {@code 127.0.0.1:<port>} of the plaintext listener. */
    public String bootstrapServers() {
        return bootstrapServers(INTERNAL_LISTENER);
    }

    /** {@code 127.0.0.1:<port>} of a listener added with {@link Builder#listener}. */
    public String bootstrapServers(String listenerName) {
        Listener listener = listeners.get(listenerName.toUpperCase(Locale.ROOT));
        if (listener == null || listener.name().equals(CONTROLLER_LISTENER)) {
            throw new IllegalArgumentException("no client listener named " + listenerName + "; this broker has "
                    + clientListenerNames());
        }
        return listener.address();
    }

    public int port() {
        return listeners.get(INTERNAL_LISTENER).port();
    }

    public int controllerPort() {
        return listeners.get(CONTROLLER_LISTENER).port();
    }

    public Path dataDir() {
        return dataDir;
    }

    /** The cluster id stored in the data directory; null before the first {@link #start()}. */
    public synchronized String clusterId() {
        return clusterId;
    }

    /** The broker settings this instance runs with (defaults, listeners, then overrides). */
    public Map<String, String> settings() {
        return settings;
    }

    /** Stops the broker; deletes the data directory only if the builder created it as a temporary one. */
    @Override
    public synchronized void close() {
        stop();
        if (temporaryDataDir) {
            deleteRecursively(dataDir);
        }
    }

    private List<String> clientListenerNames() {
        return listeners.keySet().stream().filter(n -> !n.equals(CONTROLLER_LISTENER)).toList();
    }

    /** Returns the cluster id: the stored one, or a new one after formatting an empty directory. */
    private String formatIfNew() {
        Path meta = dataDir.resolve(META_PROPERTIES);
        try {
            if (Files.exists(meta)) {
                return new MetaProperties.Builder(PropertiesUtils.readPropertiesFile(meta.toString())).build()
                        .clusterId()
                        .orElseThrow(() -> new IllegalStateException(meta + " has no cluster.id"));
            }
            Files.createDirectories(dataDir);
            if (!isEmpty(dataDir)) {
                // Kafka would happily format a directory full of unrelated files and mix its logs into them
                throw new IllegalStateException("data dir " + dataDir + " is not empty and holds no Kafka data (no "
                        + META_PROPERTIES + "): choose an empty or new directory");
            }
            String newClusterId = Uuid.randomUuid().toString();
            new Formatter()
                    .setPrintStream(new PrintStream(OutputStream.nullOutputStream()))
                    .setNodeId(NODE_ID)
                    .setClusterId(newClusterId)
                    .setDirectories(List.of(dataDir.toString()))
                    .setMetadataLogDirectory(dataDir.toString())
                    .setControllerListenerName(CONTROLLER_LISTENER)
                    .setReleaseVersion(MetadataVersion.LATEST_PRODUCTION)
                    .run();
            return newClusterId;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare the Kafka data dir " + dataDir, e);
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("cannot format the Kafka data dir " + dataDir + ": " + e.getMessage(), e);
        }
    }

    private void awaitReady() {
        long deadline = System.nanoTime() + startupTimeout.toNanos();
        Map<String, Object> adminSettings = Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5_000,
                AdminClientConfig.RETRY_BACKOFF_MS_CONFIG, 100);
        Exception last = null;
        try (Admin admin = Admin.create(adminSettings)) {
            while (System.nanoTime() < deadline) {
                try {
                    if (!admin.describeCluster(new DescribeClusterOptions().timeoutMs(5_000))
                            .nodes().get(5, TimeUnit.SECONDS).isEmpty()) {
                        return;
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while waiting for the broker", e);
                } catch (Exception e) {
                    last = e; // not up yet: the admin client already backs off between attempts
                }
            }
        }
        throw new IllegalStateException("the broker did not answer describeCluster within "
                + startupTimeout.toSeconds() + " s" + (last == null ? "" : "; last error: " + rootMessage(last)));
    }

    private static void shutDownQuietly(KafkaRaftServer server) {
        try {
            server.shutdown();
            server.awaitShutdown();
        } catch (RuntimeException ignored) {
            // the start failure is what the caller needs to see
        }
    }

    /** The message of the innermost cause: Kafka wraps the useful one ("Address already in use") deeply. */
    private static String rootMessage(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getMessage() != null ? root.getMessage() : root.toString();
    }

    private static boolean isEmpty(Path dir) throws IOException {
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.findAny().isEmpty();
        }
    }

    static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + dir, e);
        }
    }

    static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free port on 127.0.0.1", e);
        }
    }

    private record Listener(String name, String securityProtocol, int port) {
        String address() {
            return "127.0.0.1:" + port;
        }

        String uri() {
            return name + "://" + address();
        }
    }

    /** Settings of a broker; every setter is optional. */
    public static final class Builder {
        private Path dataDir;
        private int port;
        private int controllerPort;
        private final List<Listener> extraListeners = new ArrayList<>();
        private final Map<String, String> overrides = new LinkedHashMap<>();
        private Duration startupTimeout = Duration.ofSeconds(120);

        private Builder() {
        }

        /** Keep the data here (created if missing, never deleted). Default: a temporary directory, deleted on close. */
        public Builder dataDir(Path dir) {
            this.dataDir = dir;
            return this;
        }

        /** Port of the plaintext client listener; 0 (default) picks a free one. */
        public Builder port(int port) {
            this.port = checkPort(port);
            return this;
        }

        /** Port of the controller (KRaft quorum) listener; 0 (default) picks a free one. */
        public Builder controllerPort(int port) {
            this.controllerPort = checkPort(port);
            return this;
        }

        /**
         * Adds a client listener on 127.0.0.1, e.g. {@code listener("SASL_PLAINTEXT", "SASL_PLAINTEXT", 0)};
         * its own settings use Kafka's {@code listener.name.<name lower-case>.} prefix in {@link #override}.
         *
         * @param securityProtocol PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL
         * @param port             0 picks a free one
         */
        public Builder listener(String name, String securityProtocol, int port) {
            String upper = name.toUpperCase(Locale.ROOT);
            if (upper.equals(INTERNAL_LISTENER) || upper.equals(CONTROLLER_LISTENER)) {
                throw new IllegalArgumentException(upper + " is a built-in listener; give the new one another name");
            }
            extraListeners.add(new Listener(upper, securityProtocol.toUpperCase(Locale.ROOT), checkPort(port)));
            return this;
        }

        /** Any broker setting; wins over the defaults and the listener settings this class derives. */
        public Builder override(String key, String value) {
            overrides.put(Objects.requireNonNull(key), Objects.requireNonNull(value));
            return this;
        }

        public Builder overrides(Map<String, String> settings) {
            settings.forEach(this::override);
            return this;
        }

        /** How long {@link EmbeddedKafkaBroker#start()} waits for the broker to answer. Default 120 s. */
        public Builder startupTimeout(Duration timeout) {
            this.startupTimeout = Objects.requireNonNull(timeout);
            return this;
        }

        /** A broker with its ports and data directory fixed, not started yet. */
        public EmbeddedKafkaBroker build() {
            boolean temporary = dataDir == null;
            Path dir;
            try {
                dir = temporary ? Files.createTempDirectory("tpo-kafka-") : dataDir.toAbsolutePath();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot create a temporary data dir", e);
            }
            Map<String, Listener> listeners = new LinkedHashMap<>();
            listeners.put(INTERNAL_LISTENER, new Listener(INTERNAL_LISTENER, "PLAINTEXT", orFree(port)));
            listeners.put(CONTROLLER_LISTENER, new Listener(CONTROLLER_LISTENER, "PLAINTEXT", orFree(controllerPort)));
            for (Listener l : extraListeners) {
                if (listeners.put(l.name(), new Listener(l.name(), l.securityProtocol(), orFree(l.port()))) != null) {
                    throw new IllegalArgumentException("listener " + l.name() + " added twice");
                }
            }
            Map<String, String> settings = new LinkedHashMap<>(BrokerDefaults.singleNode(NODE_ID, dir));
            settings.putAll(listenerSettings(listeners));
            settings.putAll(overrides);
            return new EmbeddedKafkaBroker(dir, temporary, Collections.unmodifiableMap(listeners),
                    Collections.unmodifiableMap(settings), startupTimeout);
        }

        /** Builds and starts. */
        public EmbeddedKafkaBroker start() {
            EmbeddedKafkaBroker broker = build();
            try {
                return broker.start();
            } catch (RuntimeException e) {
                broker.close();
                throw e;
            }
        }

        private static Map<String, String> listenerSettings(Map<String, Listener> listeners) {
            List<String> all = new ArrayList<>();
            List<String> advertised = new ArrayList<>();
            List<String> protocols = new ArrayList<>();
            for (Listener l : listeners.values()) {
                all.add(l.uri());
                protocols.add(l.name() + ":" + l.securityProtocol());
                if (!l.name().equals(CONTROLLER_LISTENER)) {
                    advertised.add(l.uri());
                }
            }
            Map<String, String> s = new LinkedHashMap<>();
            // a static quorum: a single voter known from the configuration, so plain formatting is enough
            s.put("controller.quorum.voters", NODE_ID + "@" + listeners.get(CONTROLLER_LISTENER).address());
            s.put("controller.listener.names", CONTROLLER_LISTENER);
            s.put("inter.broker.listener.name", INTERNAL_LISTENER);
            s.put("listeners", String.join(",", all));
            s.put("advertised.listeners", String.join(",", advertised));
            s.put("listener.security.protocol.map", String.join(",", protocols));
            return s;
        }

        private static int orFree(int port) {
            return port == 0 ? freePort() : port;
        }

        private static int checkPort(int port) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port must be 0 (pick a free one) or 1..65535, was " + port);
            }
            return port;
        }
    }
}
