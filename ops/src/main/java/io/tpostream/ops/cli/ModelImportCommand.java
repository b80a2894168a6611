package io.tpostream.ops.cli;

import io.tpostream.trainer.model.HfLoadOptions;
import io.tpostream.trainer.model.ModelInstance;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "import",
        description = {"Converts a Hugging Face LLaVA-1.5 directory to a tpo checkpoint for 'tpo train --base'.",
                "It reads config.json, the safetensors weights and tokenizer.json (docs/models.md says what is",
                "supported) and writes float32; an unsupported config or a missing or mis-shaped tensor is named."})
final class ModelImportCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--hf", required = true, paramLabel = "DIR", description = "The Hugging Face model directory.")
    Path hfDir;

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "The checkpoint to write.")
    Path out;

    @Override
    public Integer call() throws Exception {
        if (Files.exists(out)) {
            throw new IllegalArgumentException(out + " exists; choose another --out or remove it first");
        }
        try (ModelInstance model = ModelInstance.fromHuggingFace(hfDir, HfLoadOptions.defaults())) {
            Path parent = out.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            model.checkpoint(Map.of(), Map.of()).write(out);
            long parameters = model.parameters().values().stream().mapToLong(a -> a.size()).sum();
            PrintWriter o = spec.commandLine().getOut();
            o.printf(Locale.ROOT, "imported %s: %,d parameters, %,d bytes -> %s%n", hfDir, parameters,
                    Files.size(out), out);
            o.flush();
        }
        return 0;
    }
}
