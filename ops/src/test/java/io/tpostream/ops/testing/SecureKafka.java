package io.tpostream.ops.testing;

import io.tpostream.ops.broker.EmbeddedKafkaBroker;
import io.tpostream.trainer.testing.TestPki;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AccessControlEntryFilter;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourcePatternFilter;
import org.apache.kafka.common.resource.ResourceType;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * An embedded broker secured the way a production cluster is, as its clients see it: a {@value #LISTENER} listener
 * (SCRAM-SHA-512 over TLS, certificate from a throwaway CA) and ACLs enforced by KRaft's {@code StandardAuthorizer},
 * where nothing is allowed unless granted. The broker's own plaintext listener (inter-broker and controller
 * traffic, bound to 127.0.0.1) is the super user; tests use it as an operator's admin connection, to add users and
 * ACLs.
 */
public final class SecureKafka implements AutoCloseable {

    public static final String LISTENER = "SASL_SSL";
    public static final String MECHANISM = "SCRAM-SHA-512";

    private final EmbeddedKafkaBroker broker;
    private final TestPki pki;
    private final Admin operator;

    private SecureKafka(EmbeddedKafkaBroker broker, TestPki pki) {
        this.broker = broker;
        this.pki = pki;
        this.operator = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()));
    }

    /** Makes the CA and key stores in {@code dir} and starts the broker. */
    public static SecureKafka start(Path dir) throws IOException, InterruptedException, GeneralSecurityException {
        TestPki pki = TestPki.create(dir.resolve("pki"));
        EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.builder()
                .listener(LISTENER, "SASL_SSL", 0)
                .override("sasl.enabled.mechanisms", MECHANISM)
                .override("listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config",
                        "org.apache.kafka.common.security.scram.ScramLoginModule required;")
                .overrides(pki.listenerSettings(LISTENER))
                .override("authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer")
                .override("allow.everyone.if.no.acl.found", "false")
                // the plaintext listener's principal: the broker itself (and the controller it talks to)
                .override("super.users", "User:ANONYMOUS")
                .start();
        return new SecureKafka(broker, pki);
    }

    public EmbeddedKafkaBroker broker() {
        return broker;
    }

    /** The secured listener: what every client of the system connects to. */
    public String bootstrapServers() {
        return broker.bootstrapServers(LISTENER);
    }

    /** Adds a SCRAM user and waits until the broker authenticates it. */
    public void addUser(String user, String password) throws InterruptedException {
        call(operator.alterUserScramCredentials(List.of(new UserScramCredentialUpsertion(user,
                new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 8192), password))).all());
        Map<String, Object> asUser = Map.of("bootstrap.servers", bootstrapServers(),
                "security.protocol", LISTENER, "sasl.mechanism", MECHANISM, "sasl.jaas.config", jaas(user, password),
                "ssl.truststore.type", "PKCS12", "ssl.truststore.location", pki.trustStore().toString(),
                "ssl.truststore.password", pki.password(), "default.api.timeout.ms", 10_000, "request.timeout.ms", 10_000);
        try (Admin admin = Admin.create(asUser)) {
            // the credential travels through the metadata log to the broker's cache
            Await.until(user + " authenticated by the broker", () -> {
                try {
                    return !admin.describeCluster().nodes().get(10, TimeUnit.SECONDS).isEmpty();
                } catch (Exception e) {
                    return false;
                }
            }, ok -> ok);
        }
    }

    /**
     * Allows the user the operations on one resource and waits until the broker's authorizer holds them.
     *
     * @param pattern LITERAL for one name, PREFIXED for every name that starts with it
     */
    public void allow(String user, ResourceType type, PatternType pattern, String name, AclOperation... operations)
            throws InterruptedException {
        List<AclBinding> bindings = new ArrayList<>();
        for (AclOperation op : operations) {
            bindings.add(new AclBinding(new ResourcePattern(type, name, pattern),
                    new AccessControlEntry("User:" + user, "*", op, AclPermissionType.ALLOW)));
        }
        call(operator.createAcls(bindings).all());
        AclBindingFilter mine = new AclBindingFilter(new ResourcePatternFilter(type, name, pattern),
                new AccessControlEntryFilter("User:" + user, null, AclOperation.ANY, AclPermissionType.ANY));
        // the broker answers describeAcls from its own authorizer: once it lists them, it enforces them
        Await.until("ACLs of " + user + " on " + name + " in the broker's authorizer", () -> {
            try {
                return operator.describeAcls(mine).values().get(10, TimeUnit.SECONDS).containsAll(bindings);
            } catch (Exception e) {
                return false;
            }
        }, ok -> ok);
    }

    /** A client properties file ({@code --command-config}) for the user, trusting the test CA. */
    public Path clientProperties(Path dir, String user, String password) throws IOException {
        List<String> lines = new ArrayList<>(List.of("security.protocol=" + LISTENER, "sasl.mechanism=" + MECHANISM,
                "sasl.jaas.config=" + jaas(user, password)));
        lines.addAll(pki.clientTrust());
        return write(dir.resolve(user + "-" + password.hashCode() + ".properties"), lines);
    }

    /** TLS that trusts the broker but offers no SASL login: a client without credentials. */
    public Path tlsOnlyProperties(Path dir, String... extraLines) throws IOException {
        List<String> lines = new ArrayList<>(List.of("security.protocol=SSL"));
        lines.addAll(pki.clientTrust());
        lines.addAll(List.of(extraLines));
        return write(dir.resolve("tls-only.properties"), lines);
    }

    private static Path write(Path file, List<String> lines) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        return Files.write(file, lines);
    }

    private static String jaas(String user, String password) {
        return "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"" + user
                + "\" password=\"" + password + "\";";
    }

    private static <T> T call(KafkaFuture<T> future) throws InterruptedException {
        try {
            return future.get(60, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("admin call failed: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        operator.close();
        broker.close();
    }
}
