package io.tpostream.ops.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The deployment file: its shape always, and Compose's own validation where a docker client is installed. */
class ComposeFileTest {

    private static final Path COMPOSE = Path.of("..", "docker-compose.yml");

    @Test
    void describesTheDeployment() throws IOException {
        JsonNode compose = new ObjectMapper(new YAMLFactory()).readTree(COMPOSE.toFile());
        JsonNode services = compose.get("services");
        for (String name : List.of("kafka-1", "kafka-2", "kafka-3", "topics", "streams", "trainer", "captioner")) {
            assertTrue(services.has(name), "missing service " + name);
        }
        assertEquals("apache/kafka:4.4.0", compose.get("x-kafka-common").get("image").asText());
        assertEquals(2, services.get("streams").get("deploy").get("replicas").asInt(), "the pairing app runs twice");
        JsonNode gpu = services.get("trainer").get("deploy").get("resources").get("reservations").get("devices").get(0);
        assertEquals("nvidia", gpu.get("driver").asText());
        assertTrue(gpu.get("capabilities").toString().contains("gpu"));
        assertEquals("train", services.get("trainer").get("command").get(0).asText());
        assertEquals("subscribe", services.get("captioner").get("command").get(0).asText());
    }

    @Test
    void composeAcceptsTheFileWithoutAnEngine() throws Exception {
        List<String> command = firstAvailable(List.of(List.of("docker", "compose"), List.of("docker-compose")));
        Assumptions.assumeTrue(command != null,
                "skipped: neither 'docker compose' nor 'docker-compose' is installed on this machine");
        List<String> full = new java.util.ArrayList<>(command);
        full.addAll(List.of("-f", COMPOSE.toAbsolutePath().toString(), "config", "-q"));
        Process p = new ProcessBuilder(full).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "compose did not answer within a minute");
        assertEquals(0, p.exitValue(), "compose rejects docker-compose.yml:\n" + output);
    }

    private static List<String> firstAvailable(List<List<String>> candidates) {
        for (List<String> c : candidates) {
            try {
                List<String> probe = new java.util.ArrayList<>(c);
                probe.add("version");
                Process p = new ProcessBuilder(probe).redirectErrorStream(true).start();
                p.getInputStream().readAllBytes();
                if (p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0) {
                    return c;
                }
            } catch (IOException | InterruptedException e) {
                // not installed: try the next form
            }
        }
        return null;
    }

    @Test
    void theImageRecipeExists() {
        assertTrue(Files.isRegularFile(Path.of("docker", "Dockerfile")));
    }
}
