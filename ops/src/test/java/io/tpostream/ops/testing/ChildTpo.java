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
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * {@code tpo} in a JVM of its own, as a user runs it (one PyTorch thread, like the launcher), with its output
 * (stdout and stderr merged) collected line by line: for tests that kill it or that need a process of their own.
 */
public final class ChildTpo implements AutoCloseable {

    private final Process process;
    private final List<String> output = new CopyOnWriteArrayList<>();
    private final Thread reader;

    private ChildTpo(Process process) {
        this.process = process;
        this.reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                in.lines().forEach(output::add);
            } catch (IOException | UncheckedIOException e) {
                output.add("reader failed: " + e);
            }
        }, "child-tpo-output");
        reader.start();
    }

    /**
     * @param systemProperties "key=value" pairs for the child JVM
     */
    public static ChildTpo start(List<String> systemProperties, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "-Xmx1g", "-Djava.awt.headless=true",
                "-Dai.djl.pytorch.num_threads=1"));
        systemProperties.forEach(p -> command.add("-D" + p));
        command.add(TpoCommand.class.getName());
        command.addAll(List.of(args));
        return new ChildTpo(new ProcessBuilder(command).redirectErrorStream(true).start());
    }

    /** Waits for the process to end on its own and returns its exit status. */
    public int awaitExit() throws InterruptedException {
        if (!process.waitFor(Await.DEADLINE.toSeconds(), TimeUnit.SECONDS)) {
            fail("tpo did not end within " + Await.DEADLINE.toSeconds() + " s; output:\n" + output());
        }
        reader.join(TimeUnit.SECONDS.toMillis(10));
        return process.exitValue();
    }

    /** Waits at most {@code within} for the process to end on its own: its exit status, or empty if it still runs. */
    public Optional<Integer> exitWithin(Duration within) throws InterruptedException {
        if (!process.waitFor(within.toNanos(), TimeUnit.NANOSECONDS)) {
            return Optional.empty();
        }
        reader.join(TimeUnit.SECONDS.toMillis(10));
        return Optional.of(process.exitValue());
    }

    /**
     * Waits until it has printed a line that matches, or has ended; true if the line came.
     *
     * @throws AssertionError if neither happens within {@link Await#DEADLINE}
     */
    public boolean awaitLine(Predicate<String> line) throws InterruptedException {
        Await.until("a line from tpo, or its end", () -> output.stream().anyMatch(line) || !alive(), ok -> ok);
        if (!alive()) {
            reader.join(TimeUnit.SECONDS.toMillis(10)); // what it printed last may still be in the pipe
        }
        return output.stream().anyMatch(line);
    }

    /** SIGTERM, as Ctrl-C or a service manager stops it; then waits. */
    public int terminate() throws InterruptedException {
        process.toHandle().destroy();
        return awaitExit();
    }

    /** SIGKILL, wherever it is; then waits. */
    public int kill() throws InterruptedException {
        process.destroyForcibly();
        return awaitExit();
    }

    public boolean alive() {
        return process.isAlive();
    }

    public String output() {
        return String.join("\n", output);
    }

    public List<String> lines() {
        return List.copyOf(output);
    }

    /** Kills it (SIGKILL) if it still runs: for cleanup after a failed test. */
    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
        }
    }
}
