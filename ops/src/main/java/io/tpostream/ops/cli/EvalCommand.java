package io.tpostream.ops.cli;

import io.tpostream.ops.console.ProgressBar;
import io.tpostream.ops.json.Json;
import io.tpostream.trainer.eval.Benchmark;
import io.tpostream.trainer.eval.BenchmarkManifest;
import io.tpostream.trainer.eval.CaptionTruth;
import io.tpostream.trainer.eval.EvalResult;
import io.tpostream.trainer.eval.Evaluator;
import io.tpostream.trainer.eval.PopeProbe;
import io.tpostream.trainer.eval.ProbeSet;
import io.tpostream.trainer.image.RgbImage;
import io.tpostream.trainer.model.ModelInstance;
import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.BufferedWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "eval",
        description = {"Runs a checkpoint on a benchmark written by 'tpo world' and prints its metrics as JSON:",
                "CHAIR_s/CHAIR_i on greedy captions (captions.jsonl), POPE accuracy/precision/recall/F1/yes-ratio per",
                "split (pope.jsonl), and the mean visual-anchored score of object, attribute and other tokens."})
final class EvalCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    DeviceOption device;

    @Option(names = "--model", required = true, paramLabel = "FILE", description = "A checkpoint (.ckpt).")
    Path model;

    @Option(names = "--benchmark", required = true, paramLabel = "FILE.jsonl|DIR",
            description = "pope.jsonl, captions.jsonl, or a benchmark directory (both).")
    Path benchmark;

    @Option(names = "--out", paramLabel = "answers.jsonl", description = "Also write every caption and answer here.")
    Path out;

    @Override
    public Integer call() throws Exception {
        ProbeSet set = load(benchmark);
        ProgressBar bar = new ProgressBar(spec.commandLine().getErr());
        int items = set.captions().size() + set.pope().size();
        EvalResult result;
        try (ModelInstance m = ModelInstance.load(model, device.resolve())) {
            result = Evaluator.defaults().evaluate(m, set, done -> bar.update("evaluating", done, items));
        }
        Map<String, Double> metrics = new LinkedHashMap<>(result.metrics());
        spec.commandLine().getOut().println(Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(metrics));
        if (out != null) {
            writeAnswers(result, out);
            spec.commandLine().getErr().println("answers: " + out);
        }
        return 0;
    }

    private ProbeSet load(Path path) throws Exception {
        if (Files.isDirectory(path)) {
            return ProbeSet.load(Benchmark.read(path));
        }
        if (!Files.isRegularFile(path)) {
            throw new ParameterException(spec.commandLine(), "--benchmark " + path + " does not exist (write one with 'tpo world')");
        }
        String name = path.getFileName().toString();
        Map<String, RgbImage> images = new LinkedHashMap<>();
        if (name.equals(BenchmarkManifest.CAPTIONS_FILE) || name.startsWith("captions")) {
            List<CaptionTruth> captions = Benchmark.readCaptions(path);
            for (CaptionTruth c : captions) {
                images.putIfAbsent(c.image(), Benchmark.readImage(path, c.image()));
            }
            return new ProbeSet(images, captions, List.of());
        }
        List<PopeProbe> probes = Benchmark.readPope(path);
        for (PopeProbe p : probes) {
            if (!images.containsKey(p.image())) {
                images.put(p.image(), Benchmark.readImage(path, p.image()));
            }
        }
        return new ProbeSet(images, List.of(), probes);
    }

    private static void writeAnswers(EvalResult result, Path file) throws Exception {
        try (BufferedWriter w = Files.newBufferedWriter(file)) {
            for (EvalResult.CaptionAnswer c : result.captions()) {
                ObjectNode line = Json.mapper().createObjectNode().put("image", c.image()).put("caption", c.caption());
                w.write(Json.line(line));
                w.newLine();
            }
            for (EvalResult.PopeAnswer a : result.answers()) {
                ObjectNode line = Json.mapper().createObjectNode().put("image", a.probe().image())
                        .put("question", a.probe().question()).put("label", a.probe().label())
                        .put("split", a.probe().split().name().toLowerCase(java.util.Locale.ROOT)).put("answer", a.answer());
                w.write(Json.line(line));
                w.newLine();
            }
        }
    }
}
