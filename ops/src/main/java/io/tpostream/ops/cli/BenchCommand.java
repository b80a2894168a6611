package io.tpostream.ops.cli;

import picocli.CommandLine.Command;

@Command(name = "bench",
        description = "Benchmarks whose output goes into the README with the command that made it.",
        subcommands = {BenchTrainerCommand.class, BenchE2eCommand.class, BenchStreamsCommand.class,
                BenchHostileCommand.class})
final class BenchCommand extends CommandGroup {
}
