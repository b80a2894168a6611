package io.tpostream.ops.cli;

import io.tpostream.ops.console.ProgressBar;
import io.tpostream.trainer.experiment.Arm;
import io.tpostream.trainer.experiment.ExperimentConfig;
import io.tpostream.trainer.experiment.ExperimentResult;
import io.tpostream.trainer.experiment.PreferenceExperiment;
import io.tpostream.trainer.experiment.StudyReport;
import io.tpostream.trainer.experiment.regime.PairRegime;
import io.tpostream.trainer.experiment.regime.RegimeSettings;
import io.tpostream.trainer.eval.SyntheticPairs;
import io.tpostream.trainer.tpo.ImageCorruption;
import io.tpostream.trainer.tpo.Objective;
import io.tpostream.trainer.tpo.TpoLossConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "experiment",
        description = {"Offline, no Kafka: compares objectives on the same preference pairs, compute and seeds.",
                "Per regime and reported seed: N pairs of the regime (minimal edits, rephrased, style cue,",
                "on-policy samples ranked by ground truth, or noisy on-policy), each arm trained from the same base",
                "in the same order for the same steps, all evaluated on fresh held-out scenes of the unbiased world.",
                "With --tune-seeds and several --learning-rates, each arm's rate is first chosen per regime on the",
                "validation seeds (never reported). Prints mean ± std over seeds and paired differences against dpo."})
final class ExperimentCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    DeviceOption device;

    @Option(names = "--base", paramLabel = "FILE", description = "Base checkpoint (from 'tpo pretrain'); required unless"
            + " --from-json.")
    Path base;

    @Option(names = "--from-json", split = ",", paramLabel = "FILE[,FILE...]",
            description = "Print the report of earlier runs' --json files (e.g. one per regime, run side by side)"
                    + " instead of running; the base's runs are taken once per seed.")
    List<Path> fromJson;

    @Option(names = "--pairs", defaultValue = "256", paramLabel = "N",
            description = "Preference pairs per seed and regime (per epoch for on-policy regimes).")
    int pairs;

    @Option(names = "--regime", defaultValue = "minimal", split = ",", paramLabel = "LIST",
            description = "Pair regimes: minimal, rephrased, style, on-policy, noisy (default: ${DEFAULT-VALUE}).")
    List<String> regimes;

    @Option(names = "--objectives", defaultValue = "dpo,tpo", split = ",", paramLabel = "LIST",
            description = "Objectives: tpo, dpo, tpo-chosen-only, tpo-rejected-only, tpo-opposite.")
    List<String> objectives;

    @Option(names = "--noise-steps", split = ",", paramLabel = "LIST",
            description = "Diffusion steps k of the corrupted image: one tpo arm each, at the default a (default: 500).")
    List<Integer> noiseSteps;

    @Option(names = "--weight-offset", split = ",", paramLabel = "LIST",
            description = "Weight offsets a (weights are sigmoid(s) + a): one tpo arm each, at the default k"
                    + " (default: 0.5). k and a vary one at a time, on plain tpo when it is listed, else on every"
                    + " token-weighted objective listed.")
    List<Double> weightOffsets;

    @Option(names = {"--seed", "--seeds"}, defaultValue = "1", split = ",", paramLabel = "S[,S...]",
            description = "Reported seeds: one full run each (fresh pairs, fresh held-out scenes).")
    List<Long> seeds;

    @Option(names = "--tune-seeds", split = ",", paramLabel = "S[,S...]",
            description = "Validation seeds on which each arm's learning rate is chosen per regime; never reported.")
    List<Long> tuneSeeds;

    @Option(names = "--tune-regime", paramLabel = "REGIME",
            description = "Choose every regime's rates on this regime's validation runs (default: each regime its own).")
    String tuneRegime;

    @Option(names = "--tune-only", description = "Only choose the learning rates (with --json, for --learning-rates-from).")
    boolean tuneOnly;

    @Option(names = "--learning-rates-from", split = ",", paramLabel = "FILE[,FILE...]",
            description = "Take the rates an earlier --tune-only run chose (its --json): each arm its own, an ablation"
                    + " of tpo (another objective of the family, k or a) the one chosen for tpo.")
    List<Path> ratesFrom;

    @Option(names = {"--learning-rate", "--learning-rates"}, defaultValue = "1e-4", split = ",", paramLabel = "LR[,LR...]",
            description = "Peak learning rate, or the candidates to choose from on --tune-seeds.")
    List<Double> learningRates;

    @Option(names = "--epochs", defaultValue = "3", description = "Passes over the pairs.")
    int epochs;

    @Option(names = "--batch-size", defaultValue = "16", description = "Pairs per step.")
    int batchSize;

    @Option(names = "--eval-images", defaultValue = "200", paramLabel = "N", description = "Held-out scenes per seed.")
    int evalImages;

    @Option(names = "--question-share", defaultValue = "0.25", paramLabel = "F",
            description = "Share of half the pairs that are yes/no answers (the same in every regime).")
    double questionShare;

    @Option(names = "--samples", defaultValue = "" + RegimeSettings.DEFAULT_SAMPLES, paramLabel = "K",
            description = "On-policy captions sampled per scene (default: ${DEFAULT-VALUE}).")
    int samples;

    @Option(names = "--temperature", defaultValue = "" + RegimeSettings.DEFAULT_TEMPERATURE, paramLabel = "T",
            description = "Sampling temperature of on-policy captions (default: ${DEFAULT-VALUE}).")
    double temperature;

    @Option(names = "--flip-share", defaultValue = "" + RegimeSettings.DEFAULT_FLIP_SHARE, paramLabel = "F",
            description = "Share of preferences flipped in the noisy regime (default: ${DEFAULT-VALUE}).")
    double flipShare;

    @Option(names = "--workers", paramLabel = "N",
            description = "Runs trained at the same time, each on a thread of its own with one PyTorch intra-op thread"
                    + " (default: the machine's cores, ${DEFAULT-VALUE} here). Results do not depend on it.")
    int workers = Runtime.getRuntime().availableProcessors();

    @Option(names = "--json", paramLabel = "FILE", description = "Also write every run's metrics, the chosen"
            + " learning rates and the token-weight diagnosis here.")
    Path json;

    @Option(names = "--plot", paramLabel = "DIR", description = "Also draw each regime's hallucination/coverage"
            + " trade-off (CHAIR_i against coverage, one mark per arm and seed) as DIR/tradeoff-REGIME.png.")
    Path plot;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        if (fromJson != null) {
            ExperimentResult merged = StudyFiles.merge(fromJson);
            out.print(new StudyReport(merged).full());
            plot(merged, out);
            out.flush();
            return 0;
        }
        if (base == null) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                    "Missing required option: '--base=FILE' (or --from-json to print earlier results)");
        }
        List<Arm> arms = Arm.grid(objectives.stream().map(Objective::fromName).toList(),
                noiseSteps == null ? List.of(ImageCorruption.DEFAULT_STEP) : noiseSteps,
                weightOffsets == null ? List.of(TpoLossConfig.DEFAULT_MARGIN_A) : weightOffsets);
        RegimeSettings regime = new RegimeSettings(questionShare, SyntheticPairs.DEFAULT_WRONG_ATTRIBUTE_RATE, samples,
                temperature, flipShare);
        ExperimentConfig config = new ExperimentConfig(pairs, arms, regimes.stream().map(PairRegime::fromName).toList(),
                tuneOnly ? List.of() : seeds, tuneSeeds == null ? List.of() : tuneSeeds,
                tuneRegime == null ? null : PairRegime.fromName(tuneRegime), learningRates,
                ratesFrom == null ? Map.of() : StudyFiles.chosenRates(ratesFrom, arms), epochs, batchSize, evalImages,
                regime);
        ProgressBar bar = new ProgressBar(spec.commandLine().getErr());
        long started = System.nanoTime();
        if (workers < 1) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--workers must be at least 1");
        }
        ExperimentResult result = PreferenceExperiment.run(base, config, workers, device.resolve(), bar::update);
        out.println("tpo " + String.join(" ", spec.commandLine().getParseResult().originalArgs()));
        out.print(new StudyReport(result).full());
        double cpuSeconds = ProcessHandle.current().info().totalCpuDuration().map(d -> d.toMillis() / 1e3)
                .orElse(Double.NaN);
        out.printf("study time %s wall, %s of CPU in this process, %d workers%n",
                ProgressBar.duration((System.nanoTime() - started) / 1e9),
                Double.isNaN(cpuSeconds) ? "unknown" : ProgressBar.duration(cpuSeconds), workers);
        if (json != null) {
            StudyFiles.write(json, result);
        }
        plot(result, out);
        out.flush();
        return 0;
    }

    private void plot(ExperimentResult result, PrintWriter out) throws IOException {
        if (plot == null) {
            return;
        }
        Files.createDirectories(plot);
        for (String regime : result.regimes()) {
            Path file = plot.resolve("tradeoff-" + regime + ".png");
            Files.write(file, StudyCharts.tradeoff(result, regime));
            out.println("wrote " + file);
        }
    }
}
