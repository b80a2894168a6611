package io.tpostream.ops.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tpostream.ops.broker.EmbeddedKafkaBroker;
import io.tpostream.ops.json.Json;
import io.tpostream.ops.testing.ChildJvm;
import io.tpostream.ops.testing.Cli;
import io.tpostream.ops.testing.SharedBroker;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code tpo streams} as a user runs it (its own JVM, stopped with SIGTERM) on the example file: a pair from each
 * rule, the dead letters the example README promises, and a progress line that adds up.
 */
@ExtendWith(SharedBroker.class)
class StreamsCommandIT {

    static final Path EXAMPLES = Path.of("examples").toAbsolutePath();
    static final Duration DEADLINE = Duration.ofSeconds(90);

    @TempDir
    Path dir;

    @Test
    void pairsTheExampleFileAndStopsCleanlyOnSigterm(EmbeddedKafkaBroker broker) throws Exception {
        String prefix = "streamscmd.";
        List<String> connection = List.of("--bootstrap-servers", broker.bootstrapServers(), "--topic-prefix", prefix);
        assertEquals(0, Cli.run(args(connection, "topics")).exitCode());
        try (ChildJvm streams = ChildJvm.tpo(args(connection, "streams", "--state-dir", dir.toString(),
                "--progress-interval", "1s", "--commit-interval-ms", "100"))) {
            streams.awaitLine("RUNNING", DEADLINE);
            // --send-invalid: the lines produce would refuse go too, each reported with the reason the app will give
            Cli.Result produced = Cli.run(args(connection, "produce", "--input",
                    EXAMPLES.resolve("feedback.jsonl").toString(), "--send-invalid"));
            assertEquals("sent 11 (4 invalid, lines 8, 9, 10, 11), skipped 0\n", produced.out(), produced.toString());

            // held (not yet paired): the inline rating; the two ratings that paired are pair sources already
            String last = awaitProgress(streams, "events in 11");
            assertTrue(last.contains("pairs out 4 | dead letters 5 (TIMESTAMP_OUT_OF_RANGE 2, CORRECTION_IDENTICAL 1, "
                    + "DUPLICATE_EVENT 1, RATING_OUT_OF_RANGE 1) | held ratings 1"), last);
            Map<String, String> refusedByProduce = refusals(produced.err());
            assertEquals(Map.of("ex-0008", "TIMESTAMP_OUT_OF_RANGE", "ex-0009", "TIMESTAMP_OUT_OF_RANGE",
                    "ex-0010", "RATING_OUT_OF_RANGE", "ex-0011", "CORRECTION_IDENTICAL"), refusedByProduce);
            Map<String, String> deadLettered = assertExamplePairsAndDeadLetters(connection);
            // one validation: the app dead-letters exactly what produce refuses, for the same reasons, and beyond
            // that only the resent event, which no single line shows
            Map<String, String> expected = new TreeMap<>(refusedByProduce);
            expected.put("ex-0002", "DUPLICATE_EVENT");
            assertEquals(expected, deadLettered);

            streams.terminate();
            assertEquals(143, streams.awaitExit(DEADLINE), "SIGTERM: 128 + 15, after the shutdown hook ran\n"
                    + streams.output());
            assertTrue(streams.lines().contains("pairing app stopped"), streams.output());
        }
    }

    @Test
    void missingTopicsAreExplained(EmbeddedKafkaBroker broker) {
        Cli.Result r = Cli.run("streams", "--bootstrap-servers", broker.bootstrapServers(), "--topic-prefix", "none.",
                "--state-dir", dir.toString());
        assertEquals(1, r.exitCode(), r.toString());
        assertTrue(r.err().startsWith("tpo streams: error: topic none.feedback does not exist on "
                + broker.bootstrapServers() + ": create the topics with 'tpo topics'"), r.err());
    }

    /**
     * The event id and reason code of each line produce reported as 'sent anyway: the pairing app would dead-letter
     * it as REASON: ...'.
     */
    private static Map<String, String> refusals(String produceErr) throws IOException {
        List<String> lines = Files.readAllLines(EXAMPLES.resolve("feedback.jsonl"));
        Pattern refusal = Pattern.compile("feedback\\.jsonl:(\\d+): sent anyway: the pairing app would dead-letter it "
                + "as ([A-Z_]+): .*");
        Map<String, String> out = new TreeMap<>();
        for (String line : produceErr.lines().toList()) {
            Matcher m = refusal.matcher(line);
            assertTrue(m.matches(), line);
            String source = lines.get(Integer.parseInt(m.group(1)) - 1);
            out.put(Json.mapper().readTree(source).get("eventId").textValue(), m.group(2));
        }
        return out;
    }

    /**
     * What ops/examples/README.md promises for feedback.jsonl: one pair per rule, and a dead letter for each line
     * that breaks one; returns the dead letters' reasons by event id.
     */
    static Map<String, String> assertExamplePairsAndDeadLetters(List<String> connection) throws IOException {
        List<JsonNode> pairs = consume(connection, "pairs", 4);
        Map<String, String> kindBySources = new TreeMap<>();
        for (JsonNode p : pairs) {
            kindBySources.put(p.get("sourceEventIds").toString(), p.get("sourceKind").textValue());
        }
        assertEquals(Map.of("[\"ex-0001\",\"ex-0002\"]", "RATING", "[\"ex-0003\"]", "CORRECTION",
                "[\"ex-0004\"]", "COMPARISON", "[\"ex-0006\"]", "CORRECTION"), kindBySources);

        Map<String, String> reasonByEvent = new TreeMap<>();
        for (JsonNode d : consume(connection, "dlq", 5)) {
            reasonByEvent.put(d.get("eventId").textValue(), d.get("reason").textValue());
        }
        assertEquals(Map.of("ex-0002", "DUPLICATE_EVENT", "ex-0008", "TIMESTAMP_OUT_OF_RANGE",
                "ex-0009", "TIMESTAMP_OUT_OF_RANGE", "ex-0010", "RATING_OUT_OF_RANGE",
                "ex-0011", "CORRECTION_IDENTICAL"), reasonByEvent);
        return reasonByEvent;
    }

    /** The values of the first {@code n} records; fails if there are fewer. */
    private static List<JsonNode> consume(List<String> connection, String topic, int n) throws IOException {
        Cli.Result r = Cli.run(args(connection, "consume", "--topic", topic, "--from-beginning", "--max",
                String.valueOf(n), "--timeout", "30"));
        assertEquals(0, r.exitCode(), r.toString());
        List<JsonNode> values = new ArrayList<>();
        for (String line : r.out().lines().toList()) {
            values.add(Json.mapper().readTree(line).get("value"));
        }
        assertEquals(n, values.size(), r.out());
        return values;
    }

    private static String awaitProgress(ChildJvm streams, String text) throws InterruptedException {
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (System.nanoTime() < deadline) {
            List<String> lines = streams.lines();
            for (int i = lines.size() - 1; i >= 0; i--) {
                if (lines.get(i).startsWith("RUNNING up") && lines.get(i).contains(text)) {
                    return lines.get(i);
                }
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no progress line with '" + text + "':\n" + streams.output());
    }

    static String[] args(List<String> connection, String... command) {
        List<String> all = new ArrayList<>(List.of(command));
        all.addAll(connection);
        return all.toArray(String[]::new);
    }
}
