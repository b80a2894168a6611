package io.tpostream.ops.cli;

import io.tpostream.ops.synthetic.HostileFeedback;
import io.tpostream.ops.testing.Cli;
import io.tpostream.trainer.testing.SceneFixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The benchmarks end to end at a small size: each starts its own broker, runs, reports and cleans up. */
class BenchCommandsIT {

    @Test
    void streamsBenchmarkTimesBothAppsOverTheSameInput() {
        Cli.Result r = Cli.run("bench", "streams", "--events", "3000", "--partitions", "2");
        assertEquals(0, r.exitCode(), r.toString());
        List<String> lines = r.out().lines().toList();
        assertEquals("tpo bench streams --events 3000 --partitions 2 --commit-interval-ms 100 --threads 1 --seed 1",
                lines.get(0));
        assertTrue(r.out().contains("workload: 3000 records"), r.out());
        for (String app : List.of("pass-through", "pairing")) {
            Matcher m = Pattern.compile("(?m)^" + app + " +(\\d+) +(\\d+\\.\\d+) ").matcher(r.out());
            assertTrue(m.find(), app + " row missing:\n" + r.out());
            double eventsPerSecond = Double.parseDouble(m.group(1));
            double seconds = Double.parseDouble(m.group(2));
            assertEquals(3000 / seconds, eventsPerSecond, Math.max(2, eventsPerSecond * 0.02), "events/s = events / s");
        }
        assertTrue(r.out().contains("pairing / pass-through: "), r.out());
        assertTrue(r.out().matches("(?s).*pairing output: \\d+ pairs, \\d+ dead letters.*"), r.out());
    }

    @Test
    void hostileBenchmarkLosesNothing() {
        int perCategory = 10;
        int records = HostileFeedback.Category.values().length * perCategory;
        Cli.Result r = Cli.run("bench", "hostile", "--records", String.valueOf(records), "--max-gigantic-chars",
                "20000");
        assertEquals(0, r.exitCode(), r.toString());
        for (HostileFeedback.Category c : HostileFeedback.Category.values()) {
            String outcome = c.expected().map(reason -> "`" + reason + "` " + perCategory)
                    .orElse("processed normally (paired) " + perCategory);
            assertTrue(r.out().contains("| " + c.description() + " | " + perCategory + " | " + outcome + " | 0 |"),
                    c + " row wrong:\n" + r.out());
        }
        assertTrue(r.out().contains("| **total** | **" + records + "** | 0 dead letters with another reason than "
                + "expected | **0** |"), r.out());
        assertTrue(r.out().matches("(?s).*(\\d+) pairs expected, \\1 committed with exactly the expected lineage, "
                + "0 unexpected pairs.*"), r.out());
    }

    @Test
    void endToEndBenchmarkAccountsForEveryEventAndSamplesMemoryAfterEachVersion(@TempDir Path dir)
            throws IOException {
        Path base = SceneFixtures.writeBaseModel(dir.resolve("base.ckpt"), 21);
        Cli.Result r = Cli.run("bench", "e2e", "--minutes", "0.25", "--events-per-second", "2",
                "--publish-every-seconds", "2", "--gate-probe-images", "2", "--base", base.toString(), "--out",
                dir.resolve("out").toString());
        assertEquals(0, r.exitCode(), r.toString());
        Matcher counts = Pattern.compile("events (\\d+), versions (\\d+) \\(\\d+ trained and PASSED, \\d+ REJECTED by the "
                + "gate\\); pairs: (\\d+) served, (\\d+) in REJECTED windows, (\\d+) not yet in a version").matcher(r.out());
        assertTrue(counts.find(), r.out());
        Matcher ties = Pattern.compile("sampled captions \\((\\d+) scenes tied and sent nothing\\)").matcher(r.out());
        assertTrue(ties.find(), r.out());
        int events = Integer.parseInt(counts.group(1));
        assertEquals(30, events + Integer.parseInt(ties.group(1)), "every scene sent a comparison or tied\n" + r.out());
        assertTrue(events > 0, r.out());
        assertTrue(Integer.parseInt(counts.group(2)) >= 2, "the base and at least one trained version\n" + r.out());
        assertEquals(events, Integer.parseInt(counts.group(3)) + Integer.parseInt(counts.group(4))
                + Integer.parseInt(counts.group(5)), "every pair served, rejected or pending\n" + r.out());
        assertTrue(r.out().matches("(?s).*\nfreshness: p50 [0-9.]+ s, p95 [0-9.]+ s, max [0-9.]+ s\n.*"), r.out());
        assertTrue(r.out().matches("(?s).*\nmemory after each version: RSS \\d+ -> \\d+ MiB \\(max \\d+\\), heap after "
                + "GC \\d+ -> \\d+ MiB \\(max \\d+\\), first to last quarter of v0\\.\\.v\\d+\n.*"), r.out());
    }
}
