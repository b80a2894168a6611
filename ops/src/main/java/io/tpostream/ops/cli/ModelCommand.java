package io.tpostream.ops.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;

@Command(name = "model",
        description = {"Moves models between Hugging Face's format and tpo checkpoints: import a LLaVA-1.5",
                "directory to train it with 'tpo train --base', export a trained version back."},
        subcommands = {ModelImportCommand.class, ModelExportCommand.class})
final class ModelCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        throw new ParameterException(spec.commandLine(), "missing subcommand: " + String.join(", ",
                spec.subcommands().keySet()));
    }
}
