package io.tpostream.ops.cli;

import picocli.CommandLine.Command;

@Command(name = "model",
        description = {"Moves models between Hugging Face's format and tpo checkpoints: import a LLaVA-1.5",
                "directory to train it with 'tpo train --base', export a trained version back."},
        subcommands = {ModelImportCommand.class, ModelExportCommand.class})
final class ModelCommand extends CommandGroup {
}
