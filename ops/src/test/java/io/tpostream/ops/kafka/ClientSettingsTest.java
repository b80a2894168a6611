package io.tpostream.ops.kafka;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ClientSettingsTest {

    @TempDir
    Path dir;

    private Path file(String... lines) throws IOException {
        Path f = dir.resolve("client.properties");
        Files.write(f, List.of(lines));
        return f;
    }

    @Test
    void securitySettingsReachEveryKindOfClient() throws IOException {
        ClientSettings s = ClientSettings.load("h1:9092,h2:9092", file(
                "# a comment",
                "security.protocol=SASL_SSL",
                "sasl.mechanism=SCRAM-SHA-512",
                "sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username=\"u\" password=\"p\";",
                "ssl.truststore.location=/etc/ts.jks"));
        List<Properties> all = List.of(s.admin(), s.producer(), s.transactionalProducer("t"), s.consumer("g"),
                s.consumer(null), s.streams("app"));
        for (Properties p : all) {
            assertEquals("h1:9092,h2:9092", p.getProperty("bootstrap.servers"));
            assertEquals("SASL_SSL", p.getProperty("security.protocol"));
            assertEquals("SCRAM-SHA-512", p.getProperty("sasl.mechanism"));
            assertEquals("/etc/ts.jks", p.getProperty("ssl.truststore.location"));
            assertTrue(p.getProperty("sasl.jaas.config").endsWith("password=\"p\";"));
        }
        assertEquals("h1:9092,h2:9092 (SASL_SSL)", s.toString(), "no secrets in messages");
    }

    @Test
    void consumersReadCommittedOnly() throws IOException {
        ClientSettings s = ClientSettings.load("h:1", file("isolation.level=read_uncommitted"));
        assertEquals("read_committed", s.consumer("g").getProperty("isolation.level"));
        assertEquals("read_committed", s.consumer(null).getProperty("isolation.level"));
        assertEquals("read_committed", s.streams("app").getProperty("isolation.level"));
        assertEquals("false", s.consumer("g").getProperty("enable.auto.commit"));
        assertEquals("g", s.consumer("g").getProperty("group.id"));
        assertNull(s.consumer(null).getProperty("group.id"));
    }

    @Test
    void producersAreDurableAndFileSettingsWin() throws IOException {
        ClientSettings plain = ClientSettings.of("h:1");
        assertEquals("all", plain.producer().getProperty("acks"));
        assertEquals("true", plain.producer().getProperty("enable.idempotence"));
        assertEquals("t-1", plain.transactionalProducer("t-1").getProperty("transactional.id"));
        assertFalse(plain.producer().containsKey("security.protocol"));
        assertEquals("app", plain.streams("app").getProperty("application.id"));

        ClientSettings tuned = ClientSettings.load("h:1", file("linger.ms=20", "compression.type=zstd"));
        assertEquals("20", tuned.producer().getProperty("linger.ms"));
        assertEquals("zstd", tuned.producer().getProperty("compression.type"));
    }

    @Test
    void bootstrapServersFromTheOptionOrTheFile() throws IOException {
        Path f = file("bootstrap.servers=from-file:9092", "security.protocol=SSL");
        assertEquals("from-option:1", ClientSettings.load("from-option:1", f).bootstrapServers());
        assertEquals("from-file:9092", ClientSettings.load(null, f).bootstrapServers());
        assertFalse(ClientSettings.load(null, f).connection().containsKey("bootstrap.servers"));
    }

    @Test
    void clearErrors() {
        IllegalArgumentException none = assertThrows(IllegalArgumentException.class,
                () -> ClientSettings.load(null, null));
        assertTrue(none.getMessage().startsWith("no Kafka bootstrap servers: pass --bootstrap-servers HOST:PORT, set "
                + "TPO_BOOTSTRAP_SERVERS"), none.getMessage());
        Path missing = dir.resolve("nope.properties");
        IllegalArgumentException noFile = assertThrows(IllegalArgumentException.class,
                () -> ClientSettings.load("h:1", missing));
        assertEquals("client properties file " + missing + " does not exist", noFile.getMessage());
    }

    @Test
    void theStreamsAppGetsTheFileSettingsOnTopOfExactlyOnce() throws IOException {
        ClientSettings s = ClientSettings.load("h:1", file(
                "security.protocol=SASL_SSL",
                "sasl.mechanism=PLAIN"));
        Properties p = s.streamsSettings("my-app", dir.resolve("state")).toProperties();
        assertEquals("my-app", p.getProperty("application.id"));
        assertEquals("h:1", p.getProperty("bootstrap.servers"));
        assertEquals(dir.resolve("state").toString(), p.getProperty("state.dir"));
        assertEquals("SASL_SSL", p.getProperty("security.protocol"));
        assertEquals("PLAIN", p.getProperty("sasl.mechanism"));
        assertEquals(String.valueOf(2 << 20), p.getProperty("producer.max.request.size"));
        assertEquals(String.valueOf(2 << 20), p.getProperty("topic.max.message.bytes"), "changelogs take what the app writes");
        assertEquals("exactly_once_v2", p.getProperty("processing.guarantee"));
    }
}
