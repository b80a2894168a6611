package io.tpostream.ops.testing;

import io.tpostream.schema.AvroSerde;
import io.tpostream.schema.DeadLetter;
import io.tpostream.schema.ModelVersion;
import io.tpostream.schema.OffsetWindow;
import io.tpostream.schema.Sha256;
import io.tpostream.schema.Topics;
import io.tpostream.trainer.online.VersionHistory;
import org.apache.kafka.clients.consumer.ConsumerRecord;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Reading a model's versions and checking the promises the trainer makes about them. */
public final class Versions {

    private Versions() {
    }

    public static List<ModelVersion> read(String bootstrap, String topic, String model) {
        return VersionHistory.read(Map.of("bootstrap.servers", bootstrap), topic, model, Duration.ofSeconds(30))
                .versions();
    }

    /** Waits until the published windows hold every produced pair offset (they may not yet, or never, if broken). */
    public static List<ModelVersion> awaitCoverage(String bootstrap, String topic, String model,
                                                   List<PairProducer.Sent> produced, Runnable stillWorking) {
        return Await.until("versions of " + model + " covering all " + produced.size() + " pairs",
                () -> {
                    stillWorking.run();
                    return read(bootstrap, topic, model);
                }, versions -> uncovered(versions, produced) == 0);
    }

    /** How many produced offsets lie in no published window. */
    public static long uncovered(List<ModelVersion> versions, List<PairProducer.Sent> produced) {
        return produced.stream().filter(s -> versions.stream().noneMatch(v -> contains(v, s))).count();
    }

    public static boolean contains(ModelVersion v, PairProducer.Sent s) {
        return v.getTrainingWindow().stream().anyMatch(w -> w.getPartition() == s.partition()
                && w.getFromOffset() <= s.offset() && s.offset() < w.getUntilOffset());
    }

    /**
     * Exactly once: version numbers 0..n without gaps or repeats; per partition, windows in version order follow on
     * from offset 0 without gap or overlap; every produced pair lies in exactly one window; each batch plan takes
     * exactly the window's committed records of each partition.
     */
    public static void assertExactlyOnce(List<ModelVersion> versions, List<PairProducer.Sent> produced) {
        for (int i = 0; i < versions.size(); i++) {
            assertEquals(i, versions.get(i).getVersion(), "version numbers must run 0, 1, 2, ... once each");
        }
        Map<Integer, Long> next = new HashMap<>();
        for (ModelVersion v : versions) {
            for (OffsetWindow w : v.getTrainingWindow()) {
                long expectedFrom = next.getOrDefault(w.getPartition(), 0L);
                assertEquals(expectedFrom, w.getFromOffset(), "v" + v.getVersion() + " partition " + w.getPartition()
                        + " must start where the previous window ended");
                assertTrue(w.getUntilOffset() > w.getFromOffset(), "empty window in v" + v.getVersion());
                next.put(w.getPartition(), w.getUntilOffset());
            }
        }
        for (PairProducer.Sent s : produced) {
            long holders = versions.stream().filter(v -> contains(v, s)).count();
            assertEquals(1, holders, "pair " + s + " is in " + holders + " windows");
        }
        for (ModelVersion v : versions) {
            Map<Integer, Integer> planned = plannedPerPartition(v.getBatchPlan());
            Map<Integer, Integer> inWindow = new TreeMap<>();
            produced.stream().filter(s -> contains(v, s)).forEach(s -> inWindow.merge(s.partition(), 1, Integer::sum));
            assertEquals(inWindow, planned, "v" + v.getVersion() + "'s batch plan '" + v.getBatchPlan()
                    + "' must take exactly its window's pairs");
            int batches = v.getBatchPlan().isEmpty() ? 0 : v.getBatchPlan().split(";").length;
            assertEquals(batches, v.getSteps(), "v" + v.getVersion() + ": one step per batch");
        }
    }

    public static Map<Integer, Integer> plannedPerPartition(String plan) {
        Map<Integer, Integer> out = new TreeMap<>();
        if (!plan.isEmpty()) {
            for (String batch : plan.split(";")) {
                for (String part : batch.split(",")) {
                    String[] pc = part.split(":");
                    out.merge(Integer.parseInt(pc[0]), Integer.parseInt(pc[1]), Integer::sum);
                }
            }
        }
        return out;
    }

    /** Every version's artifact is a file holding exactly the recorded bytes. */
    public static void assertArtifacts(List<ModelVersion> versions) {
        for (ModelVersion v : versions) {
            Path file = Path.of(URI.create(v.getArtifact().getUri()));
            assertTrue(Files.isRegularFile(file), "v" + v.getVersion() + " artifact " + file + " is missing");
            try {
                byte[] bytes = Files.readAllBytes(file);
                assertEquals(v.getArtifact().getSha256(), Sha256.hex(bytes), "v" + v.getVersion() + " artifact sha-256");
                assertEquals(v.getArtifact().getSizeBytes(), bytes.length);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** In every version each record its window consumed was trained, of another model, stale, or quarantined. */
    public static void assertWindowsAccounted(List<ModelVersion> versions) {
        for (ModelVersion v : versions) {
            Map<String, Double> m = v.getMetrics();
            String which = "v" + v.getVersion() + " " + m;
            assertEquals(m.get("window/records"), m.get("window/pairs_trained") + m.get("window/pairs_other_models")
                    + m.get("window/pairs_stale") + m.get("window/pairs_quarantined"), which);
            assertEquals((double) v.getPairs(), m.get("window/pairs_trained"), which);
            assertEquals((double) v.getQuarantinedPairs().size(), m.get("window/pairs_quarantined"), which);
        }
    }

    /**
     * The trainer's dead letters (those read from the pairs topic) are exactly the quarantined pairs of the versions:
     * one each, keyed by the pair's id, with the reason code its version records and the position it was read at,
     * inside that version's window.
     *
     * @return the trainer's dead letters by pair id
     */
    public static Map<String, DeadLetter> assertQuarantinedAreDeadLettered(String bootstrap, Topics topics,
                                                                         List<ModelVersion> versions) {
        AvroSerde<DeadLetter> serde = AvroSerde.of(DeadLetter.class);
        Map<String, DeadLetter> byPair = new TreeMap<>();
        for (ConsumerRecord<byte[], byte[]> r : TopicReader.readAll(bootstrap, topics.deadLetters())) {
            DeadLetter d = serde.decode(r.value());
            if (d.getSourceTopic().equals(topics.pairs())) {
                String pairId = new String(r.key(), StandardCharsets.UTF_8);
                assertNull(byPair.put(pairId, d), "two dead letters of pair " + pairId);
            }
        }
        Map<String, String> quarantined = new TreeMap<>();
        for (ModelVersion v : versions) {
            for (String entry : v.getQuarantinedPairs()) {
                String[] idAndReason = entry.split(" ", 2);
                quarantined.put(idAndReason[0], idAndReason[1]);
                DeadLetter d = byPair.get(idAndReason[0]);
                assertNotNull(d, "no dead letter of " + entry);
                assertTrue(idAndReason[1].startsWith(d.getReason() + ": "), d.getReason() + " for " + entry);
                assertTrue(v.getTrainingWindow().stream().anyMatch(w -> w.getPartition() == d.getSourcePartition()
                        && w.getFromOffset() <= d.getSourceOffset() && d.getSourceOffset() < w.getUntilOffset()),
                        "dead letter of " + idAndReason[0] + " at " + d.getSourcePartition() + "@"
                                + d.getSourceOffset() + " lies outside v" + v.getVersion() + "'s window");
            }
        }
        assertEquals(quarantined.keySet(), byPair.keySet(), "one dead letter per quarantined pair, and no other");
        return byPair;
    }

    public static List<Long> numbers(List<ModelVersion> versions) {
        List<Long> out = new ArrayList<>();
        versions.forEach(v -> out.add(v.getVersion()));
        return out;
    }
}
