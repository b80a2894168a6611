package io.tpostream.ops.cli;

import io.tpostream.ops.synthetic.HostileFeedback;
import io.tpostream.ops.testing.Cli;
import org.junit.jupiter.api.Test;

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
}
