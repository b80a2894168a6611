package io.tpostream.ops.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tpostream.ops.broker.EmbeddedKafkaBroker;
import io.tpostream.ops.json.Json;
import io.tpostream.ops.kafka.ClientSettings;
import io.tpostream.ops.testing.Cli;
import io.tpostream.ops.testing.SharedBroker;
import io.tpostream.ops.testing.TestImages;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** produce and consume through the command line's entry point, against a real broker. */
@ExtendWith(SharedBroker.class)
class ProduceConsumeIT {

    private static final Path EXAMPLES = Path.of("examples").toAbsolutePath();

    @TempDir
    Path dir;

    private static Cli.Result tpo(EmbeddedKafkaBroker broker, String prefix, String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--bootstrap-servers", broker.bootstrapServers(), "--topic-prefix", prefix));
        return Cli.run(all.toArray(String[]::new));
    }

    private static List<JsonNode> jsonLines(String out) throws IOException {
        List<JsonNode> nodes = new ArrayList<>();
        for (String line : out.lines().toList()) {
            nodes.add(Json.mapper().readTree(line));
        }
        return nodes;
    }

    @Test
    void theExampleFileRoundTrips(EmbeddedKafkaBroker broker) throws IOException {
        String prefix = "roundtrip.";
        assertEquals(0, tpo(broker, prefix, "topics").exitCode());

        List<String> inputLines = Files.readAllLines(EXAMPLES.resolve("feedback.jsonl"));
        int n = inputLines.size();
        // --send-invalid: every line goes, including the four the pairing app dead-letters
        Cli.Result produced = tpo(broker, prefix, "produce", "--input", EXAMPLES.resolve("feedback.jsonl").toString(),
                "--send-invalid");
        assertEquals(0, produced.exitCode(), produced.toString());
        assertEquals("sent " + n + " (4 invalid, lines 8, 9, 10, 11), skipped 0\n", produced.out());

        Cli.Result consumed = tpo(broker, prefix, "consume", "--topic", "feedback", "--from-beginning",
                "--max", String.valueOf(n), "--timeout", "30");
        assertEquals(0, consumed.exitCode(), consumed.toString());
        List<JsonNode> records = jsonLines(consumed.out());
        assertEquals(n, records.size(), consumed.out());
        assertTrue(consumed.err().contains(n + " records from roundtrip.feedback"), consumed.err());

        // compare with the input file, read here with plain Jackson: by event id, or by response for the one line
        // without an id (a resent line has the same id and content)
        Map<String, JsonNode> input = new TreeMap<>();
        for (String line : inputLines) {
            JsonNode n2 = Json.mapper().readTree(line);
            input.put(n2.has("eventId") ? n2.get("eventId").textValue() : n2.get("response").textValue(), n2);
        }
        for (JsonNode r : records) {
            assertEquals("roundtrip.feedback", r.get("topic").textValue());
            assertFalse(r.has("error"), r.toString());
            JsonNode value = r.get("value");
            JsonNode source = input.getOrDefault(value.get("eventId").textValue(),
                    input.get(value.get("response").textValue()));
            assertEquals(value.get("image").get("sha256").textValue(), r.get("key").textValue(), "keyed by image");
            assertEquals(source.get("response"), value.get("response"));
            assertEquals(source.get("prompt"), value.get("prompt"));
            assertEquals(source.get("modelName"), value.get("modelName"));
            assertEquals(source.get("modelVersion").longValue(), value.get("modelVersion").longValue());
            assertEquals(source.get("kind"), value.get("kind"));
            JsonNode image = source.get("image");
            if (image.has("path")) {
                byte[] bytes = Files.readAllBytes(EXAMPLES.resolve(image.get("path").textValue()));
                assertEquals(TestImages.sha256Hex(bytes), value.get("image").get("sha256").textValue());
                assertEquals("<" + bytes.length + " bytes>", value.get("image").get("bytes").textValue());
                assertEquals(32, value.get("image").get("width").intValue());
            }
            if (image.has("uri") && !image.has("path")) {
                assertEquals(image.get("sha256"), value.get("image").get("sha256"));
                assertTrue(value.get("image").get("bytes").isNull());
            }
        }
        JsonNode epochMillis = valueOf(records, "ex-0009");
        assertEquals("2020-01-01T12:00:00Z", epochMillis.get("occurredAt").textValue());
        assertEquals("2020-01-01T11:00:00Z", valueOf(records, "ex-0008").get("occurredAt").textValue());
        JsonNode comparison = valueOf(records, "ex-0004");
        assertEquals(true, comparison.get("otherPreferred").booleanValue());
        assertEquals("acme", comparison.get("tenant").textValue());
    }

    private static JsonNode valueOf(List<JsonNode> records, String eventId) {
        return records.stream().filter(r -> r.get("value").get("eventId").textValue().equals(eventId))
                .findFirst().orElseThrow().get("value");
    }

    @Test
    void badLinesAreReportedAndTheRestIsSent(EmbeddedKafkaBroker broker) throws IOException {
        String prefix = "badlines.";
        assertEquals(0, tpo(broker, prefix, "topics").exitCode());
        Files.write(dir.resolve("cat.png"), TestImages.png(4, 4));
        String good = "{\"eventId\":\"%s\",\"modelName\":\"m\",\"modelVersion\":0,\"image\":{\"path\":\"cat.png\"},"
                + "\"prompt\":\"p\",\"response\":\"r\",\"kind\":\"RATING\",\"rating\":3}";
        Files.write(dir.resolve("mixed.jsonl"), List.of(
                good.formatted("g1"),
                "{not json",
                "",
                good.formatted("g2").replace("\"rating\":3", "\"rating\":\"3\""),
                good.formatted("g3").replace("cat.png", "dog.png"),
                good.formatted("g4"),
                good.formatted("g5").replace("\"rating\":3", "\"rating\":9")));

        Cli.Result r = tpo(broker, prefix, "produce", "--input", dir.resolve("mixed.jsonl").toString());
        assertEquals(1, r.exitCode(), r.toString());
        assertEquals("sent 2, skipped 4 (lines 2, 4, 5, 7)\n", r.out());
        List<String> errors = r.err().lines().toList();
        assertEquals(4, errors.size(), r.err());
        assertTrue(errors.get(0).startsWith("mixed.jsonl:2: skipped: not valid JSON"), errors.get(0));
        assertEquals("mixed.jsonl:4: skipped: 'rating' must be a number, found \"3\"", errors.get(1));
        assertTrue(errors.get(2).startsWith("mixed.jsonl:5: skipped: 'image.path' " + dir.resolve("dog.png")
                + " does not exist"), errors.get(2));
        assertEquals("mixed.jsonl:7: skipped: the pairing app would dead-letter it as RATING_OUT_OF_RANGE: rating 9.0 "
                + "is outside 1.0..5.0", errors.get(3));

        Cli.Result consumed = tpo(broker, prefix, "consume", "--topic", "feedback", "--from-beginning",
                "--max", "2", "--timeout", "30");
        assertEquals(List.of("g1", "g4"), jsonLines(consumed.out()).stream()
                .map(n -> n.get("value").get("eventId").textValue()).sorted(Comparator.naturalOrder()).toList());
    }

    @Test
    void undecodableRecordsArePrintedAsErrorsAndDoNotStopTheRest(EmbeddedKafkaBroker broker) throws Exception {
        String prefix = "undecodable.";
        assertEquals(0, tpo(broker, prefix, "topics").exitCode());
        try (KafkaProducer<byte[], byte[]> raw = new KafkaProducer<>(ClientSettings.of(broker.bootstrapServers())
                .producer(), new ByteArraySerializer(), new ByteArraySerializer())) {
            // one partition, so that the garbage comes before the good record
            raw.send(new ProducerRecord<>(prefix + "feedback", 0, null, "k".getBytes(StandardCharsets.UTF_8),
                    "not avro".getBytes(StandardCharsets.UTF_8))).get(30, TimeUnit.SECONDS);
        }
        Files.write(dir.resolve("one.jsonl"), List.of("{\"modelName\":\"m\",\"modelVersion\":0,\"image\":{\"uri\":"
                + "\"https://h/a.png\",\"sha256\":\"" + "0".repeat(64) + "\"},\"prompt\":\"p\",\"response\":\"r\","
                + "\"kind\":\"CORRECTION\",\"correctedResponse\":\"c\"}"));
        assertEquals(0, tpo(broker, prefix, "produce", "--input", dir.resolve("one.jsonl").toString()).exitCode());

        Cli.Result consumed = tpo(broker, prefix, "consume", "--topic", "feedback", "--from-beginning",
                "--max", "2", "--timeout", "30", "--include-bytes");
        assertEquals(0, consumed.exitCode(), consumed.toString());
        List<JsonNode> records = jsonLines(consumed.out());
        assertEquals(2, records.size(), consumed.out());
        JsonNode bad = records.stream().filter(n -> n.has("error")).findFirst().orElseThrow();
        assertEquals("BAD_HEADER", bad.get("error").get("reason").textValue());
        assertEquals("k", bad.get("key").textValue());
        assertEquals("bm90IGF2cm8=", bad.get("error").get("base64").textValue());
        JsonNode good = records.stream().filter(n -> n.has("value")).findFirst().orElseThrow();
        assertEquals("c", good.get("value").get("correctedResponse").textValue());
    }

    @Test
    void consumeStopsWhenIdleAndMissingTopicsAreExplained(EmbeddedKafkaBroker broker) {
        String prefix = "idle.";
        Cli.Result missing = tpo(broker, prefix, "consume", "--topic", "pairs", "--timeout", "1");
        assertEquals(1, missing.exitCode(), missing.toString());
        assertTrue(missing.err().startsWith("tpo consume: error: topic idle.pairs does not exist on "
                + broker.bootstrapServers() + ": create the topics with 'tpo topics'"), missing.err());

        assertEquals(0, tpo(broker, prefix, "topics").exitCode());
        long start = System.nanoTime();
        Cli.Result empty = tpo(broker, prefix, "consume", "--topic", "model-versions", "--from-beginning",
                "--timeout", "1");
        assertEquals(0, empty.exitCode(), empty.toString());
        assertEquals("", empty.out());
        assertTrue(empty.err().contains("0 records from idle.model-versions"), empty.err());
        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(20), "an idle consume must end");
    }
}
