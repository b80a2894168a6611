package io.tpostream.ops.cli;

import io.tpostream.trainer.eval.BenchmarkManifest;
import io.tpostream.trainer.eval.BenchmarkSpec;
import io.tpostream.trainer.eval.BenchmarkWriter;
import io.tpostream.trainer.eval.BiasMode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "world",
        description = {"Writes a benchmark from the scene world: images/NNNNN.png, pope.jsonl (yes/no probes in",
                "random, popular and adversarial splits), captions.jsonl (ground-truth objects) and benchmark.json.",
                "Deterministic from the seed."})
final class WorldCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Where the benchmark goes.")
    Path out;

    @Option(names = "--seed", required = true, description = "Seeds the scenes and the random POPE probes.")
    long seed;

    @Option(names = {"--n", "-n"}, defaultValue = "200", description = "Number of scenes (images).")
    int n;

    @Option(names = "--bias", defaultValue = "none", paramLabel = "none|train",
            description = "none: objects independent (held-out tests); train: usual partners co-occur (training data).")
    String bias;

    @Option(names = "--image-size", defaultValue = "32", paramLabel = "PX", description = "Image side, 32 to 64.")
    int imageSize;

    @Override
    public Integer call() throws Exception {
        BenchmarkManifest manifest = BenchmarkWriter.write(out, BenchmarkSpec.of(seed, n, BiasMode.parse(bias), imageSize));
        spec.commandLine().getOut().println("wrote " + manifest.n() + " scenes with " + manifest.objects()
                + " objects and " + manifest.popeTotal() + " POPE probes to " + out);
        return 0;
    }
}
