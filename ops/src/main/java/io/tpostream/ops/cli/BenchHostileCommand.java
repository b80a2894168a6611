package io.tpostream.ops.cli;

import io.tpostream.ops.console.ProgressBar;
import io.tpostream.ops.bench.HostileBenchmark;
import io.tpostream.ops.synthetic.HostileFeedback;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

@Command(name = "hostile",
        description = {
                "Pushes hostile feedback (truncated and corrupt Avro, unknown schemas, text that is not UTF-8, "
                        + "gigantic strings, image bombs, lying digests, absurd ratings and timestamps, duplicates, "
                        + "...) mixed with valid feedback through the pairing app, on an embedded broker with the "
                        + "production topic settings.",
                "Prints a Markdown table: per kind of damage, how many were tried, what they became, and how many "
                        + "were lost; then whether the valid feedback still paired exactly. Exit code 1 if any record "
                        + "was lost or misfiled."})
final class BenchHostileCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--records", defaultValue = "10000", paramLabel = "N", description = "Hostile records.")
    int records;

    @Option(names = "--seed", defaultValue = "1", description = "Seeds the hostile records.")
    long seed;

    @Option(names = "--max-gigantic-chars", defaultValue = "500000", paramLabel = "N",
            description = "Longest gigantic string (the feedback topic takes records up to 1 MiB).")
    int maxGiganticChars;

    @Override
    public Integer call() throws Exception {
        if (records < HostileFeedback.Category.values().length) {
            throw new ParameterException(spec.commandLine(), "--records must be at least "
                    + HostileFeedback.Category.values().length + ", one per kind of damage");
        }
        PrintWriter out = spec.commandLine().getOut();
        HostileBenchmark.Result r = HostileBenchmark.run(records, seed, maxGiganticChars,
                ProgressBar.perStep(spec.commandLine().getErr()));
        out.printf(Locale.ROOT, "tpo bench hostile --records %d --seed %d --max-gigantic-chars %d%n%n", records, seed,
                maxGiganticChars);
        out.println("| bad input | tried | dead-lettered by reason | lost |");
        out.println("|---|---:|---|---:|");
        for (HostileBenchmark.Row row : r.rows()) {
            String outcome = row.deadLettered().entrySet().stream()
                    .map(e -> "`" + e.getKey() + "` " + e.getValue()).collect(Collectors.joining(", "));
            if (row.paired() > 0) {
                outcome += (outcome.isEmpty() ? "" : ", ") + "processed normally (paired) " + row.paired();
            }
            out.printf(Locale.ROOT, "| %s | %d | %s | %d |%n", row.category().description(), row.tried(), outcome,
                    row.lost());
        }
        int misfiled = r.rows().stream().mapToInt(HostileBenchmark.Row::misfiled).sum();
        out.printf(Locale.ROOT, "| **total** | **%d** | %d dead letters with another reason than expected | **%d** |%n",
                r.tried(), misfiled, r.lost());
        out.println();
        out.printf(Locale.ROOT, "valid feedback around it: %d records, %d pairs expected, %d committed with exactly "
                        + "the expected lineage, %d unexpected pairs%n", r.validRecords(), r.expectedPairs(),
                r.validPairs(), r.extraPairs());
        out.printf(Locale.ROOT, "pairing app: all %d input records committed in %.1f s, %d dead letters in total%n",
                r.tried() + r.validRecords(), r.elapsed().toNanos() / 1e9, r.deadLetters());
        out.flush();
        boolean clean = r.lost() == 0 && misfiled == 0 && r.validPairs() == r.expectedPairs() && r.extraPairs() == 0;
        return clean ? 0 : ErrorReporting.RUNTIME_FAILURE;
    }
}
