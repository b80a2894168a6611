package io.tpostream.ops.broker;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What a broker is configured with, checked without starting one. */
class EmbeddedKafkaBrokerTest {

    @TempDir
    Path dir;

    @Test
    void singleNodeSettingsWithListenersAndOverrides() {
        EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.builder().dataDir(dir).port(19092).controllerPort(19093)
                .listener("sasl_plaintext", "SASL_PLAINTEXT", 19094)
                .override("num.partitions", "4")
                .build();
        var s = broker.settings();
        assertEquals("127.0.0.1:19092", broker.bootstrapServers());
        assertEquals("127.0.0.1:19094", broker.bootstrapServers("SASL_PLAINTEXT"));
        assertEquals("PLAINTEXT://127.0.0.1:19092,CONTROLLER://127.0.0.1:19093,SASL_PLAINTEXT://127.0.0.1:19094",
                s.get("listeners"));
        assertEquals("PLAINTEXT://127.0.0.1:19092,SASL_PLAINTEXT://127.0.0.1:19094", s.get("advertised.listeners"));
        assertEquals("PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT",
                s.get("listener.security.protocol.map"));
        assertEquals("1@127.0.0.1:19093", s.get("controller.quorum.voters"));
        assertEquals("1", s.get("transaction.state.log.replication.factor"));
        assertEquals("1", s.get("transaction.state.log.min.isr"));
        assertEquals("1", s.get("offsets.topic.replication.factor"));
        assertEquals("0", s.get("group.initial.rebalance.delay.ms"));
        assertEquals("false", s.get("auto.create.topics.enable"));
        assertEquals("4", s.get("num.partitions"));
        assertEquals(dir.toAbsolutePath().toString(), s.get("log.dirs"));
        assertFalse(broker.isRunning());
        assertThrows(IllegalArgumentException.class, () -> broker.bootstrapServers("CONTROLLER"));
    }

    @Test
    void freePortsArePickedOnceAndKept() {
        EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.builder().dataDir(dir).build();
        assertTrue(broker.port() > 0);
        assertTrue(broker.controllerPort() > 0);
        assertEquals("127.0.0.1:" + broker.port(), broker.bootstrapServers());
    }

    @Test
    void refusesADirectoryWithOtherFiles() throws IOException {
        Files.writeString(dir.resolve("thesis.tex"), "precious");
        EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.builder().dataDir(dir).build();
        IllegalStateException e = assertThrows(IllegalStateException.class, broker::start);
        assertEquals("data dir " + dir.toAbsolutePath() + " is not empty and holds no Kafka data (no meta.properties): "
                + "choose an empty or new directory", e.getMessage());
        assertTrue(Files.exists(dir.resolve("thesis.tex")));
        assertFalse(broker.isRunning());
    }

    @Test
    void builtInListenerNamesAreReserved() {
        assertThrows(IllegalArgumentException.class,
                () -> EmbeddedKafkaBroker.builder().listener("controller", "PLAINTEXT", 0));
        assertThrows(IllegalArgumentException.class, () -> EmbeddedKafkaBroker.builder().port(70000));
    }
}
