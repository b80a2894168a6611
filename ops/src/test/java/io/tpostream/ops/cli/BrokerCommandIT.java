package io.tpostream.ops.cli;

import io.tpostream.ops.kafka.ClientSettings;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code tpo broker} as a user runs it: its own JVM, the bootstrap line, topics, and a clean stop on a signal. */
class BrokerCommandIT {

    private static final long DEADLINE_S = 90;

    @TempDir
    Path dataDir;

    @Test
    void printsTheAddressCreatesTopicsAndStopsCleanlyOnSigterm() throws Exception {
        Process process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "-Djava.awt.headless=true",
                TpoCommand.class.getName(), "broker", "--data-dir", dataDir.toString(), "--topic-prefix", "cmd.")
                .redirectErrorStream(true)
                .start();
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        List<String> output = new CopyOnWriteArrayList<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                in.lines().forEach(line -> {
                    output.add(line);
                    lines.add(line);
                });
            } catch (IOException | UncheckedIOException e) {
                output.add("reader failed: " + e);
            }
        });
        reader.start();
        try {
            String bootstrap = awaitLine(lines, "bootstrap: ").substring("bootstrap: ".length());
            assertTrue(bootstrap.matches("127\\.0\\.0\\.1:\\d+"), bootstrap);
            awaitLine(lines, "Ready.");
            try (Admin admin = Admin.create(ClientSettings.of(bootstrap).admin())) {
                Set<String> names = admin.listTopics().names().get(30, TimeUnit.SECONDS);
                assertTrue(names.containsAll(List.of("cmd.feedback", "cmd.feedback.dlq", "cmd.pairs",
                        "cmd.model-versions", "cmd.token-rewards")), names.toString());
            }
        } finally {
            // SIGTERM runs the shutdown hooks as Ctrl-C does; Process.destroy() would also close our end of stdout
            process.toHandle().destroy();
        }
        assertTrue(process.waitFor(DEADLINE_S, TimeUnit.SECONDS), "the broker did not stop");
        reader.join(TimeUnit.SECONDS.toMillis(DEADLINE_S));
        assertTrue(output.contains("broker stopped"), String.join("\n", output));
        assertTrue(dataDir.resolve("meta.properties").toFile().exists(), "a given data dir is kept");
    }

    private static String awaitLine(BlockingQueue<String> lines, String prefix) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(DEADLINE_S);
        StringBuilder seen = new StringBuilder();
        while (System.nanoTime() < deadline) {
            String line = lines.poll(1, TimeUnit.SECONDS);
            if (line != null) {
                seen.append(line).append('\n');
                if (line.startsWith(prefix)) {
                    return line;
                }
            }
        }
        return fail("no line starting with '" + prefix + "' within " + DEADLINE_S + " s; output:\n" + seen);
    }
}
