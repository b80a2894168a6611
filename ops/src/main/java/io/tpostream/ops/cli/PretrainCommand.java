package io.tpostream.ops.cli;

import ai.djl.Device;
import io.tpostream.ops.json.Json;
import io.tpostream.trainer.eval.BenchmarkSpec;
import io.tpostream.trainer.eval.BiasMode;
import io.tpostream.trainer.eval.EvalResult;
import io.tpostream.trainer.eval.Evaluator;
import io.tpostream.trainer.eval.ProbeSet;
import io.tpostream.trainer.model.ModelInstance;
import io.tpostream.trainer.training.PretrainConfig;
import io.tpostream.trainer.training.Pretraining;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "pretrain",
        description = {"Pre-trains a base model on the biased scene world: captions and yes/no questions.",
                "Writes DIR/base.ckpt (config, tokenizer, weights) and DIR/pretrain.json (settings and metrics),",
                "then prints held-out metrics on the unbiased world, where hallucinated partners show."})
final class PretrainCommand implements Callable<Integer> {

    static final String CHECKPOINT = "base.ckpt";

    @Spec
    CommandSpec spec;

    @Mixin
    DeviceOption device;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Where the base model goes.")
    Path out;

    @Option(names = "--preset", defaultValue = "tiny", description = "Model size: tiny, small or base.")
    String preset;

    @Option(names = "--steps", defaultValue = "-1", paramLabel = "N", description = "Optimizer steps (default: the preset's).")
    int steps;

    @Option(names = "--batch-size", defaultValue = "-1", paramLabel = "N", description = "Examples per step (default 32).")
    int batchSize;

    @Option(names = "--seed", defaultValue = "7", description = "Seeds the weights and the data.")
    long seed;

    @Option(names = "--learning-rate", defaultValue = "-1", paramLabel = "LR", description = "Peak learning rate (default 2e-3).")
    double learningRate;

    @Option(names = "--partner-mention-rate", defaultValue = "-1", paramLabel = "P",
            description = "How often training captions mention an absent usual partner (default 0.7).")
    double partnerMentionRate;

    @Option(names = "--eval-images", defaultValue = "100", paramLabel = "N", description = "Held-out scenes for the final metrics.")
    int evalImages;

    @Override
    public Integer call() throws Exception {
        PretrainConfig d = PretrainConfig.defaults();
        PretrainConfig config = new PretrainConfig(preset, steps > 0 ? steps : d.steps(),
                batchSize > 0 ? batchSize : d.batchSize(), seed, learningRate > 0 ? learningRate : d.peakLearningRate(),
                d.captionShare(), d.biasStrength(), partnerMentionRate >= 0 ? partnerMentionRate : d.partnerMentionRate());
        Map<String, Object> report = run(config, device.resolve(), out, evalImages, spec.commandLine().getErr());
        PrintWriter o = spec.commandLine().getOut();
        o.println(Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(report.get("metrics")));
        o.println("base model: " + out.resolve(CHECKPOINT));
        o.flush();
        return 0;
    }

    /** Pre-trains, saves, evaluates; returns what pretrain.json holds. Used by the demo too. */
    static Map<String, Object> run(PretrainConfig config, Device device, Path dir, int evalImages, PrintWriter progressOut)
            throws Exception {
        Files.createDirectories(dir);
        ProgressBar bar = new ProgressBar(progressOut);
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("settings", config);
        try (ModelInstance model = Pretraining.run(config, device, (step, total, metrics) ->
                bar.update(String.format(java.util.Locale.ROOT, "pre-training (loss %.3f)", metrics.get("loss")), step, total))) {
            model.checkpoint(Map.of(), Map.of("model", "base", "version", "0", "seed", Long.toString(config.seed())))
                    .write(dir.resolve(CHECKPOINT));
            ProbeSet heldOut = ProbeSet.generate(BenchmarkSpec.of(config.seed() + 1_000_003, evalImages, BiasMode.NONE,
                    model.config().vision().imageSize()));
            int items = heldOut.captions().size() + heldOut.pope().size();
            EvalResult result = Evaluator.defaults().evaluate(model, heldOut, done -> bar.update("evaluating", done, items));
            report.put("metrics", result.metrics());
        }
        Files.writeString(dir.resolve("pretrain.json"), Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(report));
        return report;
    }
}
