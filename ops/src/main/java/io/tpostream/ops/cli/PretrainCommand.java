package io.tpostream.ops.cli;

import io.tpostream.ops.base.BaseModels;
import io.tpostream.ops.json.Json;
import io.tpostream.trainer.training.PretrainConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "pretrain",
        description = {"Pre-trains a base model on the biased scene world: captions and yes/no questions.",
                "Writes DIR/base.ckpt (config, tokenizer, weights) and DIR/pretrain.json (settings and metrics),",
                "then prints held-out metrics on the unbiased world, where hallucinated partners show."})
final class PretrainCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    DeviceOption device;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Where the base model goes.")
    Path out;

    @Option(names = "--preset", defaultValue = "tiny", description = "Model size: tiny, small or base.")
    String preset;

    @Option(names = "--steps", paramLabel = "N", description = "Optimizer steps (default: the preset's).")
    Integer steps;

    @Option(names = "--batch-size", paramLabel = "N", description = "Examples per step (default 32).")
    Integer batchSize;

    @Option(names = "--seed", defaultValue = "7", description = "Seeds the weights and the data.")
    long seed;

    @Option(names = "--learning-rate", paramLabel = "LR", description = "Peak learning rate (default 2e-3).")
    Double learningRate;

    @Option(names = "--partner-mention-rate", paramLabel = "P",
            description = "How often training captions mention an absent usual partner (default 0.7).")
    Double partnerMentionRate;

    @Option(names = "--eval-images", defaultValue = "100", paramLabel = "N", description = "Held-out scenes for the final metrics.")
    int evalImages;

    @Override
    public Integer call() throws Exception {
        PretrainConfig d = PretrainConfig.defaults();
        PretrainConfig config = new PretrainConfig(preset, steps != null ? steps : d.steps(),
                batchSize != null ? batchSize : d.batchSize(), seed,
                learningRate != null ? learningRate : d.peakLearningRate(), d.captionShare(), d.biasStrength(),
                partnerMentionRate != null ? partnerMentionRate : d.partnerMentionRate());
        Map<String, Object> report = BaseModels.pretrain(config, device.resolve(), out, evalImages, spec.commandLine().getErr());
        PrintWriter o = spec.commandLine().getOut();
        o.println(Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(report.get("metrics")));
        o.println("base model: " + out.resolve(BaseModels.CHECKPOINT));
        o.flush();
        return 0;
    }
}
