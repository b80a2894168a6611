package io.tpostream.ops.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;

@Command(name = "bench",
        description = "Benchmarks whose output goes into the README with the command that made it.",
        subcommands = {BenchTrainerCommand.class, BenchE2eCommand.class, BenchStreamsCommand.class,
                BenchHostileCommand.class})
final class BenchCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        throw new ParameterException(spec.commandLine(), "missing benchmark: " + String.join(", ",
                spec.subcommands().keySet()));
    }
}
