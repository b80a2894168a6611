package io.tpostream.ops.cli;

import io.tpostream.trainer.experiment.StepBenchmark;
import io.tpostream.trainer.tpo.Objective;
import ai.djl.Device;
import picocli.CommandLine.Option;

import java.util.List;

/** What a trainer step benchmark runs: the options of {@code tpo bench trainer} and of the GPU device checks. */
public final class StepBenchOptions {

    @Option(names = "--preset", defaultValue = "tiny", description = "Model size: tiny, small or base.")
    public String preset;

    @Option(names = "--objectives", defaultValue = "dpo,tpo", split = ",", paramLabel = "LIST",
            description = "Objectives to compare; ratios are against the first.")
    public List<String> objectives;

    @Option(names = "--batch-size", defaultValue = "16", description = "Pairs per step.")
    public int batchSize;

    @Option(names = "--warmup", defaultValue = "3", description = "Untimed steps per objective.")
    public int warmup;

    @Option(names = "--steps", defaultValue = "20", description = "Timed steps per objective.")
    public int steps;

    @Option(names = "--baseline", description = "Also time each objective on the straightforward step path"
            + " (no shared prefix, full head everywhere), interleaved: before/after in one run.")
    public boolean baseline;

    public List<StepBenchmark.Result> run(Device device) {
        return StepBenchmark.run(preset, objectives.stream().map(Objective::fromName).toList(), batchSize, warmup, steps,
                device, baseline);
    }
}
