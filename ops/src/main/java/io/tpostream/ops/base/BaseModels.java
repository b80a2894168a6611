package io.tpostream.ops.base;

import ai.djl.Device;
import com.fasterxml.jackson.databind.JsonNode;
import io.tpostream.ops.console.ProgressBar;
import io.tpostream.ops.json.Json;
import io.tpostream.trainer.eval.BenchmarkSpec;
import io.tpostream.trainer.eval.BiasMode;
import io.tpostream.trainer.eval.EvalResult;
import io.tpostream.trainer.eval.Evaluator;
import io.tpostream.trainer.eval.ProbeSet;
import io.tpostream.trainer.model.ModelInstance;
import io.tpostream.trainer.training.PretrainConfig;
import io.tpostream.trainer.training.Pretraining;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** Pre-trained base models on disk: {@code DIR/base.ckpt} with the settings and metrics in {@code DIR/pretrain.json}. */
public final class BaseModels {

    public static final String CHECKPOINT = "base.ckpt";
    public static final String REPORT = "pretrain.json";

    private BaseModels() {
    }

    /** Pre-trains, saves, evaluates on held-out unbiased scenes; returns what pretrain.json holds. */
    public static Map<String, Object> pretrain(PretrainConfig config, Device device, Path dir, int evalImages,
                                               PrintWriter progress) throws IOException {
        Files.createDirectories(dir);
        ProgressBar bar = new ProgressBar(progress);
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("settings", config);
        try (ModelInstance model = Pretraining.run(config, device, (step, total, metrics) ->
                bar.update(String.format(Locale.ROOT, "pre-training the base model (loss %.3f)", metrics.get("loss")),
                        step, total))) {
            model.checkpoint(Map.of(), Map.of("model", "base", "version", "0", "seed", Long.toString(config.seed())))
                    .write(dir.resolve(CHECKPOINT));
            ProbeSet heldOut = ProbeSet.generate(BenchmarkSpec.of(config.seed() + 1_000_003, evalImages, BiasMode.NONE,
                    model.config().vision().imageSize()));
            int items = heldOut.captions().size() + heldOut.pope().size();
            EvalResult result = Evaluator.defaults().evaluate(model, heldOut,
                    done -> bar.update("evaluating the base model", done, items));
            report.put("metrics", result.metrics());
        }
        Files.writeString(dir.resolve(REPORT), Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(report));
        return report;
    }

    /**
     * The base model in {@code dir}, pre-training it first if it is missing or was made with other settings (so a
     * second demo run starts in seconds).
     */
    public static Path ensure(PretrainConfig config, Device device, Path dir, int evalImages, PrintWriter progress)
            throws IOException {
        Path checkpoint = dir.resolve(CHECKPOINT);
        if (Files.isRegularFile(checkpoint) && sameSettings(dir.resolve(REPORT), config)) {
            progress.println("using the cached base model " + checkpoint);
            progress.flush();
            return checkpoint;
        }
        pretrain(config, device, dir, evalImages, progress);
        return checkpoint;
    }

    private static boolean sameSettings(Path report, PretrainConfig config) {
        try {
            JsonNode saved = Json.mapper().readTree(report.toFile()).get("settings");
            // compare as settings, not as JSON trees: 7 reads back as an int where it was written from a long
            return saved != null && Json.mapper().treeToValue(saved, PretrainConfig.class).equals(config);
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }
}
