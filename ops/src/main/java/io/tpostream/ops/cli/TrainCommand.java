package io.tpostream.ops.cli;

import io.tpostream.ops.kafka.ClientSettings;
import io.tpostream.ops.metrics.MetricsEndpoint;
import io.tpostream.ops.metrics.PrometheusMetrics;
import io.tpostream.ops.metrics.TrainerMeters;
import io.tpostream.schema.ModelVersion;
import io.tpostream.trainer.model.Devices;
import io.tpostream.trainer.online.GateConfig;
import io.tpostream.trainer.online.OnlineTrainer;
import io.tpostream.trainer.online.OnlineTrainerConfig;
import io.tpostream.trainer.online.PromotionGate;
import io.tpostream.trainer.online.StalenessBound;
import io.tpostream.trainer.publish.LocalArtifactStore;
import io.tpostream.trainer.publish.VersionSignature;
import io.tpostream.trainer.tpo.LearningRateSchedule;
import io.tpostream.trainer.tpo.Objective;
import io.tpostream.trainer.training.PreferenceConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

@Command(name = "train",
        description = {
                "Trains one model online from the pairs topic until Ctrl-C: micro-batches of preference pairs, a "
                        + "TPO (or DPO / ablation) step each, and every N steps or T seconds a new model version "
                        + "(checkpoint in --artifacts, record on the model-versions topic, committed together with "
                        + "the consumed offsets in one Kafka transaction).",
                "The first start of a model publishes --base as version 0; later starts resume from the last "
                        + "PASSED version and its committed offsets. A second trainer of the same model fences this "
                        + "one. Prints one line per published version."},
        footer = {"",
                "Pairs whose image cannot be used (unreadable, refused host, timeout, too large, not a PNG/JPEG, wrong "
                        + "sha-256, ...) are quarantined: listed in their version's record and written, with the "
                        + "reason and their bytes, to the dead-letter topic in the version's transaction.",
                "Replays are bit-identical only with the intra-op thread count the version was trained with; the "
                        + "tpo launcher runs PyTorch with one (-Dai.djl.pytorch.num_threads=1).",
                "Exit codes: 0 done (--max-versions), 130/143 stopped cleanly by Ctrl-C/SIGTERM (as any JVM ended by a "
                        + "signal), 1 failure, 2 usage error, 3 fenced by another trainer of the model."})
final class TrainCommand implements Callable<Integer> {

    static final int FENCED = 3;
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(60);

    @Spec
    CommandSpec spec;

    @Mixin
    MetricsPortOption metricsPort;

    @Mixin
    KafkaOptions kafka;

    @Mixin
    ImageSourceOptions images;

    @Option(names = "--model", required = true, paramLabel = "NAME",
            description = "The model to train (letters, digits, '.', '_', '-'); its consumer group and transactional "
                    + "id derive from it.")
    String model;

    @Option(names = "--base", required = true, paramLabel = "FILE",
            description = "Checkpoint of the base model: version 0 and the frozen reference of the objective.")
    Path base;

    @Option(names = "--objective", paramLabel = "NAME", defaultValue = "tpo",
            description = "tpo, dpo, tpo-chosen-only, tpo-rejected-only or tpo-opposite.")
    String objective;

    @Option(names = "--batch-size", paramLabel = "N", defaultValue = "8", description = "Pairs per training step.")
    int batchSize;

    @Option(names = "--publish-every-steps", paramLabel = "N", defaultValue = "20",
            description = "Publish a version after this many steps...")
    int publishEverySteps;

    @Option(names = "--publish-every-seconds", paramLabel = "T", defaultValue = "60",
            description = "...or this long after the window's first pair, whichever comes first.")
    double publishEverySeconds;

    @Option(names = "--artifacts", paramLabel = "DIR", defaultValue = "${env:TPO_ARTIFACTS:-artifacts}",
            description = "Where checkpoints are stored, named by their sha-256 (env TPO_ARTIFACTS).")
    Path artifacts;

    @Option(names = "--learning-rate", paramLabel = "LR", defaultValue = "1e-4", description = "Constant learning rate.")
    double learningRate;

    @Option(names = "--gate", paramLabel = "on|off", defaultValue = "on",
            description = "The promotion gate: off passes every finite candidate (metrics are still measured).")
    String gate;

    @Option(names = "--gate-probe-images", paramLabel = "N", defaultValue = "32",
            description = "Scenes in the gate's probe set.")
    int gateProbeImages;

    @Option(names = "--gate-max-chair-i-increase", paramLabel = "X", defaultValue = "0.05",
            description = "Largest allowed rise of CHAIR_i over the best version served so far (negative: demand a fall).")
    double maxChairIncrease;

    @Option(names = "--gate-max-pope-f1-drop", paramLabel = "X", defaultValue = "0.05",
            description = "Largest allowed fall of POPE-adversarial F1 below the best version served so far.")
    double maxPopeDrop;

    @Option(names = "--signing-key", paramLabel = "FILE",
            description = "Ed25519 private key (PKCS#8 PEM, from 'tpo keygen') to sign versions with; its public key "
                    + "is read from the sibling file with .pub for .key.")
    Path signingKey;

    @Option(names = "--device", paramLabel = "auto|cpu|gpu[:N]", defaultValue = "auto",
            description = "Where tensors live.")
    String device;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "0", description = "Recorded with every version.")
    long seed;

    @Option(names = "--max-queued-pairs", paramLabel = "N", defaultValue = "256",
            description = "Pairs read ahead of training before the consumer pauses.")
    int maxQueuedPairs;

    @Option(names = "--max-staleness", paramLabel = "N|off", defaultValue = "off",
            description = "Skip (and count as window/pairs_stale) pairs whose responses a model version more than N "
                    + "versions older than the one trained from wrote; pairs of an unknown version are trained. off: "
                    + "train every pair.")
    String maxStaleness;

    @Option(names = "--no-token-traces", description = "Do not publish per-token reward traces.")
    boolean noTokenTraces;

    @Option(names = "--max-versions", paramLabel = "N", defaultValue = "0",
            description = "Stop after publishing N versions in this run (version 0 not counted); 0: run until stopped.")
    int maxVersions;

    @Override
    public Integer call() throws InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        OnlineTrainerConfig config = config();
        try (PrometheusMetrics metrics = new PrometheusMetrics();
             MetricsEndpoint ignored = metricsPort.start(metrics, () -> { }, err)) {
            return train(config, new TrainerMeters(metrics.registry()), out, err);
        }
    }

    private int train(OnlineTrainerConfig config, TrainerMeters meters, PrintWriter out, PrintWriter err)
            throws InterruptedException {
        AtomicInteger trained = new AtomicInteger();
        OnlineTrainer[] self = new OnlineTrainer[1];
        OnlineTrainer trainer = new OnlineTrainer(config, new OnlineTrainer.Listener() {
            @Override
            public void trained(long totalSteps, Map<String, Double> stepMetrics) {
                meters.trained(totalSteps, stepMetrics);
            }

            @Override
            public void published(ModelVersion version, long publishMillis) {
                meters.published(version, publishMillis);
                out.println(progressLine(version, publishMillis));
                out.flush();
                if (version.getVersion() > 0 && maxVersions > 0 && trained.incrementAndGet() >= maxVersions) {
                    self[0].close();
                }
            }

            @Override
            public void restarting(Throwable cause) {
                err.println("restarting from the last published version: " + ErrorReporting.describe(cause));
                err.flush();
            }
        });
        self[0] = trainer;
        CountDownLatch finished = new CountDownLatch(1);
        Thread stopOnSignal = new Thread(() -> {
            trainer.close();
            try {
                // the JVM exits when this hook returns: let the trainer close its clients first
                finished.await(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "tpo-train-stop");
        Runtime.getRuntime().addShutdownHook(stopOnSignal);
        err.println("training " + model + " from " + config.topics().pairs() + " on " + config.device()
                + "; Ctrl-C stops (an unpublished window is trained again on the next start)");
        err.flush();
        try {
            trainer.run();
            err.println("trainer stopped");
            return 0;
        } catch (OnlineTrainer.FencedException e) {
            err.println("tpo train: fenced: " + e.getMessage());
            return FENCED;
        } finally {
            finished.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(stopOnSignal);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running: it waits for the countDown above
            }
            err.flush();
        }
    }

    private OnlineTrainerConfig config() {
        if (!Files.isRegularFile(base)) {
            throw new ParameterException(spec.commandLine(), "--base: " + base + " is not a file");
        }
        Objective chosenObjective;
        try {
            chosenObjective = Objective.fromName(objective);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "--objective: " + e.getMessage());
        }
        GateConfig gateConfig = new GateConfig(true, positive(gateProbeImages, "--gate-probe-images"),
                GateConfig.defaults().probeSeed(), maxChairIncrease, maxPopeDrop);
        switch (gate.toLowerCase(Locale.ROOT)) {
            case "on" -> { }
            case "off" -> gateConfig = gateConfig.disabled();
            default -> throw new ParameterException(spec.commandLine(), "--gate: use on or off, not '" + gate + "'");
        }
        if (!(learningRate > 0) || !Double.isFinite(learningRate)) {
            throw new ParameterException(spec.commandLine(), "--learning-rate must be a positive number");
        }
        if (!(publishEverySeconds > 0)) {
            throw new ParameterException(spec.commandLine(), "--publish-every-seconds must be positive");
        }
        positive(batchSize, "--batch-size");
        positive(publishEverySteps, "--publish-every-steps");
        if (maxQueuedPairs < batchSize) {
            throw new ParameterException(spec.commandLine(), "--max-queued-pairs must be at least --batch-size");
        }
        StalenessBound staleness;
        try {
            staleness = StalenessBound.parse(maxStaleness);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "--max-staleness: " + e.getMessage(), e);
        }
        KeyPair keys = null;
        if (signingKey != null) {
            try {
                keys = VersionSignature.readKeyPair(signingKey);
            } catch (IOException e) {
                throw new ParameterException(spec.commandLine(), "--signing-key: " + e.getMessage(), e);
            }
        }
        PreferenceConfig training = PreferenceConfig.defaults(chosenObjective)
                .withLearningRate(LearningRateSchedule.constant(learningRate));
        ClientSettings settings = kafka.clientSettings();
        LocalArtifactStore store;
        try {
            store = new LocalArtifactStore(artifacts);
        } catch (IOException e) {
            throw new ParameterException(spec.commandLine(), "--artifacts: cannot create " + artifacts + ": " + e, e);
        }
        try {
            return OnlineTrainerConfig.builder(settings.commonMap(), kafka.topics(), model, base, store)
                    .training(training).batchSize(batchSize).publishEverySteps(publishEverySteps)
                    .publishEvery(Duration.ofMillis(Math.round(publishEverySeconds * 1000)))
                    .maxQueuedPairs(maxQueuedPairs).gate(gateConfig).staleness(staleness).signingKey(keys)
                    .traceTokens(!noTokenTraces)
                    .seed(seed).device(Devices.resolve(device)).images(images.sources()).build();
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage(), e);
        }
    }

    private int positive(int value, String option) {
        if (value <= 0) {
            throw new ParameterException(spec.commandLine(), option + " must be at least 1");
        }
        return value;
    }

    /** {@code v3 PASSED pairs=16 steps=2 loss=0.6931 CHAIR_i=0.1250 POPE-adv-F1=0.5000 publish=412ms [reason]}. */
    static String progressLine(ModelVersion v, long publishMillis) {
        Map<String, Double> m = v.getMetrics();
        StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "v%d %s pairs=%d steps=%d loss=%s CHAIR_i=%s "
                        + "POPE-adv-F1=%s publish=%dms", v.getVersion(), v.getStatus(), v.getPairs(), v.getSteps(),
                number(m.get("train/loss")), number(m.get(PromotionGate.CHAIR_I)),
                number(m.get(PromotionGate.POPE_ADVERSARIAL_F1)), publishMillis));
        if (v.getStatusReason() != null) {
            line.append(" (").append(v.getStatusReason()).append(')');
        }
        return line.toString();
    }

    private static String number(Double value) {
        return value == null ? "-" : String.format(Locale.ROOT, "%.4f", value);
    }
}
