package io.tpostream.ops.cli;

import io.tpostream.ops.console.ProgressBar;
import io.tpostream.ops.json.Json;
import io.tpostream.trainer.experiment.ExperimentConfig;
import io.tpostream.trainer.experiment.ExperimentResult;
import io.tpostream.trainer.experiment.PreferenceExperiment;
import io.tpostream.trainer.tpo.Objective;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "experiment",
        description = {"Offline, no Kafka: compares objectives on the same preference pairs, compute and seed.",
                "Per seed: N pairs (half synthetic: true caption vs a co-occurring object hallucinated; half on-policy:",
                "the base model's own captions and their corrections), each objective trained from the same base,",
                "all evaluated on fresh held-out scenes of the unbiased world. Prints mean ± std over seeds."})
final class ExperimentCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    DeviceOption device;

    @Option(names = "--base", required = true, paramLabel = "FILE", description = "Base checkpoint (from 'tpo pretrain').")
    Path base;

    @Option(names = "--pairs", defaultValue = "256", paramLabel = "N", description = "Preference pairs per seed.")
    int pairs;

    @Option(names = "--objectives", defaultValue = "dpo,tpo", split = ",", paramLabel = "LIST",
            description = "Objectives: tpo, dpo, tpo-chosen-only, tpo-rejected-only, tpo-opposite.")
    List<String> objectives;

    @Option(names = {"--seed", "--seeds"}, defaultValue = "1", split = ",", paramLabel = "S[,S...]",
            description = "One full run per seed (fresh pairs, fresh held-out scenes).")
    List<Long> seeds;

    @Option(names = "--epochs", defaultValue = "3", description = "Passes over the pairs.")
    int epochs;

    @Option(names = "--batch-size", defaultValue = "16", description = "Pairs per step.")
    int batchSize;

    @Option(names = "--learning-rate", defaultValue = "1e-4", paramLabel = "LR", description = "Peak learning rate.")
    double learningRate;

    @Option(names = "--eval-images", defaultValue = "200", paramLabel = "N", description = "Held-out scenes per seed.")
    int evalImages;

    @Option(names = "--question-share", defaultValue = "0.25", paramLabel = "F",
            description = "Share of the synthetic pairs that are yes/no answers (absent partner: no over yes).")
    double questionShare;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write every run's metrics here.")
    Path json;

    @Override
    public Integer call() throws Exception {
        ExperimentConfig config = new ExperimentConfig(pairs, objectives.stream().map(Objective::fromName).toList(),
                seeds, epochs, batchSize, learningRate, evalImages, questionShare);
        ProgressBar bar = new ProgressBar(spec.commandLine().getErr());
        ExperimentResult result = PreferenceExperiment.run(base, config, device.resolve(), bar::update);
        PrintWriter out = spec.commandLine().getOut();
        out.println("tpo experiment --base " + base + " --pairs " + pairs + " --objectives " + String.join(",", objectives)
                + " --seeds " + String.join(",", seeds.stream().map(String::valueOf).toList()) + " --epochs " + epochs
                + " --batch-size " + batchSize + " --learning-rate " + learningRate + " --eval-images " + evalImages
                + " --question-share " + questionShare);
        out.print(result.table());
        out.println("s(object), s(other): mean visual-anchored score of object-word and of other tokens in the captions");
        if (json != null) {
            Files.writeString(json, Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(result.runs()));
        }
        out.flush();
        return 0;
    }
}
