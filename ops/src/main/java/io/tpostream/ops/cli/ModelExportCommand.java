package io.tpostream.ops.cli;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import io.tpostream.trainer.model.HfExport;
import io.tpostream.trainer.model.HfTensorNames;
import io.tpostream.trainer.model.ModelInstance;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

@Command(name = "export",
        description = {"Converts a tpo checkpoint to a Hugging Face LLaVA directory.",
                "Give it a base or a version's artifact from the artifact store; transformers loads the result",
                "with LlavaForConditionalGeneration.from_pretrained. LoRA adapters, if any, are merged in."})
final class ModelExportCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--checkpoint", required = true, paramLabel = "FILE", description = "The checkpoint to export.")
    Path checkpoint;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "The directory to write (new or empty).")
    Path out;

    @Option(names = "--dtype", defaultValue = "float32", paramLabel = "float32|float16|bfloat16",
            description = "How the weights are stored.")
    String dtype;

    @Option(names = "--layout", defaultValue = "classic", paramLabel = "classic|current",
            description = "Tensor names: classic (language_model.model.*) loads in every transformers version; "
                    + "current is what transformers >= 4.52 writes.")
    String layout;

    @Option(names = "--copy-files-from", paramLabel = "DIR",
            description = "The directory the model came from: its other small files (preprocessor_config.json, "
                    + "tokenizer_config.json, chat template, ...) are copied over.")
    Path copyFilesFrom;

    @Override
    public Integer call() throws Exception {
        HfExport.Options options = HfExport.Options.defaults().withStoreAs(storeAs()).withLayout(layout());
        if (copyFilesFrom != null) {
            options = options.withCopyFilesFrom(copyFilesFrom);
        }
        if (Files.isDirectory(out)) {
            try (var entries = Files.list(out)) {
                if (entries.findAny().isPresent()) {
                    throw new IllegalArgumentException(out + " is not empty; choose a new or empty --out");
                }
            }
        }
        try (ModelInstance model = ModelInstance.load(checkpoint, Device.cpu())) {
            List<Path> written = model.exportHuggingFace(out, options);
            PrintWriter o = spec.commandLine().getOut();
            o.printf(Locale.ROOT, "exported %s -> %s (%d files)%n", checkpoint, out, written.size());
            o.flush();
        }
        return 0;
    }

    private DataType storeAs() {
        return switch (dtype.toLowerCase(Locale.ROOT)) {
            case "float32" -> DataType.FLOAT32;
            case "float16" -> DataType.FLOAT16;
            case "bfloat16" -> DataType.BFLOAT16;
            default -> throw new ParameterException(spec.commandLine(),
                    "--dtype: use float32, float16 or bfloat16, not '" + dtype + "'");
        };
    }

    private HfTensorNames.Layout layout() {
        return switch (layout.toLowerCase(Locale.ROOT)) {
            case "classic" -> HfTensorNames.Layout.CLASSIC;
            case "current" -> HfTensorNames.Layout.CURRENT;
            default -> throw new ParameterException(spec.commandLine(),
                    "--layout: use classic or current, not '" + layout + "'");
        };
    }
}
