package io.tpostream.ops.testing;

import io.tpostream.ops.cli.TpoCommand;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * A {@code tpo} command in a JVM of its own, as a user runs it: it can be signalled like a real process (SIGTERM runs
 * its shutdown hooks as Ctrl-C does; SIGKILL leaves no chance to clean up). Output (stdout and stderr merged) is
 * collected line by line.
 */
public final class ChildJvm implements AutoCloseable {

    private final Process process;
    private final List<String> lines = new CopyOnWriteArrayList<>();
    private final Thread reader;

    private ChildJvm(Process process) {
        this.process = process;
        this.reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                in.lines().forEach(lines::add);
            } catch (IOException | UncheckedIOException e) {
                lines.add("reader failed: " + e);
            }
        }, "child-jvm-output");
        reader.setDaemon(true);
        reader.start();
    }

    /** Starts {@code tpo <args>} with this JVM's class path and a small heap. */
    public static ChildJvm tpo(String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "-XX:+UseSerialGC", "-Djava.awt.headless=true",
                "-cp", System.getProperty("java.class.path"),
                TpoCommand.class.getName()));
        command.addAll(List.of(args));
        return new ChildJvm(new ProcessBuilder(command).redirectErrorStream(true).start());
    }

    /** The first output line starting with the prefix, waiting for it up to the timeout. */
    public String awaitLine(String prefix, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            for (String line : lines) {
                if (line.startsWith(prefix)) {
                    return line;
                }
            }
            if (!process.isAlive() && !reader.isAlive() || System.nanoTime() > deadline) {
                return fail("no line starting with '" + prefix + "' within " + timeout.toSeconds() + " s"
                        + (process.isAlive() ? "" : " (the process ended)") + "; output:\n" + output());
            }
            Thread.sleep(50);
        }
    }

    public List<String> lines() {
        return List.copyOf(lines);
    }

    public String output() {
        return String.join("\n", lines);
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** SIGTERM, as Ctrl-C or a process supervisor would send; shutdown hooks run. */
    public void terminate() {
        // not Process.destroy(): that also closes our end of its stdout
        process.toHandle().destroy();
    }

    /** SIGKILL: the process ends at once, without closing or committing anything. */
    public void kill() {
        process.toHandle().destroyForcibly();
    }

    /** Waits for the process to end and for its last output line; returns its exit code. */
    public int awaitExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            fail("the process did not end within " + timeout.toSeconds() + " s; output:\n" + output());
        }
        reader.join(timeout.toMillis());
        return process.exitValue();
    }

    /** Kills it if it still runs: a failed test must not leave a JVM behind. */
    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            kill();
            process.waitFor(30, TimeUnit.SECONDS);
        }
    }
}
