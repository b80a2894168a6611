package io.tpostream.ops.cli;

import io.tpostream.ops.kafka.ClientSettings;
import io.tpostream.ops.serve.CaptionServer;
import io.tpostream.ops.serve.CaptionService;
import io.tpostream.schema.Artifact;
import io.tpostream.schema.ModelVersion;
import io.tpostream.schema.Sha256;
import io.tpostream.schema.VersionStatus;
import io.tpostream.trainer.eval.SceneText;
import io.tpostream.trainer.model.Checkpoint;
import io.tpostream.trainer.model.Devices;
import io.tpostream.trainer.model.ModelInstance;
import io.tpostream.trainer.publish.LocalArtifactStore;
import io.tpostream.trainer.publish.TrustedKeys;
import io.tpostream.trainer.serving.ModelSubscriber;
import io.tpostream.trainer.serving.ServingModel;
import io.tpostream.trainer.serving.VersionListener;
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
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;

@Command(name = "serve",
        description = {
                "An HTTP caption service, until Ctrl-C. POST /v1/captions with PNG/JPEG bytes as the body "
                        + "(?prompt=TEXT, ?scores=true for each token's visual-anchored score) answers JSON with the "
                        + "caption, its caption_id and the model_version that wrote it; POST /v1/feedback "
                        + "{\"caption_id\": ..., \"kind\": \"rating\", \"rating\": 4} produces a FeedbackEvent "
                        + "stamped with that version to the feedback topic; GET /healthz, /readyz, /metrics "
                        + "(Prometheus).",
                "With --checkpoint it serves that model (no Kafka needed; feedback only with --bootstrap-servers). "
                        + "Otherwise it follows the model-versions topic of --model and hot-swaps each newer PASSED "
                        + "version whose artifact (and, with --public-key, signature over the whole record) checks "
                        + "out: requests in flight "
                        + "finish on the model they started on, then the old model is freed."})
final class ServeCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    KafkaOptions kafka;

    @Option(names = "--checkpoint", paramLabel = "FILE",
            description = "Serve this checkpoint (e.g. a version's artifact, or `tpo pretrain`'s base.ckpt) and no "
                    + "other: no subscription.")
    Path checkpoint;

    @Option(names = "--model", paramLabel = "NAME",
            description = "The model whose versions to follow (required without --checkpoint); with --checkpoint, "
                    + "the name feedback is stamped with (default: the file's name without extension).")
    String model;

    @Option(names = "--checkpoint-version", paramLabel = "V", defaultValue = "0",
            description = "With --checkpoint: the version number answers and feedback are stamped with.")
    long checkpointVersion;

    @Mixin
    VersionSourceOptions source;

    @Option(names = "--host", paramLabel = "ADDRESS", defaultValue = "127.0.0.1",
            description = "Address to listen on.")
    String host;

    @Option(names = "--port", paramLabel = "PORT", defaultValue = "8080",
            description = "Port to listen on; 0 picks a free one (printed at start).")
    int port;

    @Option(names = "--threads", paramLabel = "N", defaultValue = "4", description = "Requests handled at once.")
    int threads;

    @Option(names = "--max-body-bytes", paramLabel = "BYTES", defaultValue = "4194304",
            description = "Largest request body accepted (413 above).")
    int maxBodyBytes;

    @Option(names = "--max-pixels", paramLabel = "N", defaultValue = "16777216",
            description = "Largest image accepted, width x height (413 above; checked before decoding).")
    long maxPixels;

    @Option(names = "--max-tokens", paramLabel = "N", defaultValue = "24", description = "Longest caption, in tokens.")
    int maxTokens;

    @Option(names = "--prompt", paramLabel = "TEXT", defaultValue = SceneText.CAPTION_PROMPT,
            description = "The prompt of requests that give none.")
    String prompt;

    @Option(names = "--feedback-memory-bytes", paramLabel = "BYTES", defaultValue = "67108864",
            description = "Memory for recent captions (with their images), which feedback names by caption_id; the "
                    + "oldest are forgotten first.")
    long recentBytes;

    @Option(names = "--drain", paramLabel = "DURATION", defaultValue = "10s", converter = DurationConverter.class,
            description = "How long a stop waits for requests in flight.")
    Duration drain;

    @Option(names = "--device", paramLabel = "auto|cpu|gpu[:N]", defaultValue = "cpu", description = "Where to load models.")
    String device;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (checkpoint == null && model == null) {
            throw new ParameterException(spec.commandLine(), "give --checkpoint FILE to serve one model, or --model "
                    + "NAME with --bootstrap-servers to follow its versions");
        }
        if (checkpoint != null && source.keysGiven()) {
            throw new ParameterException(spec.commandLine(), "--public-key verifies versions from Kafka; a "
                    + "--checkpoint file is served as it is");
        }
        ClientSettings settings = checkpoint == null || kafka.given() ? kafka.clientSettings() : null;
        TrustedKeys trusted = source.trusted();
        CaptionServer.Settings http;
        CaptionService.Settings captioning;
        try {
            http = new CaptionServer.Settings(host, port, threads, maxBodyBytes, drain, recentBytes);
            captioning = new CaptionService.Settings(prompt, maxTokens, maxPixels);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage(), e);
        }
        CountDownLatch stop = new CountDownLatch(1);
        CountDownLatch stopped = new CountDownLatch(1);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        // on SIGTERM / Ctrl-C the JVM ends when its shutdown hooks do: this one holds it until requests in flight
        // have drained and the model is closed
        Thread stopOnSignal = new Thread(() -> {
            stop.countDown();
            try {
                stopped.await(drain.toMillis() + 15_000, java.util.concurrent.TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "tpo-serve-stop");
        try (ServingModel serving = new ServingModel();
             CaptionServer server = new CaptionServer(serving, http, captioning, settings,
                     kafka.topics().feedback())) {
            Runtime.getRuntime().addShutdownHook(stopOnSignal);
            ModelSubscriber subscriber = null;
            try {
                if (checkpoint != null) {
                    serveCheckpoint(serving, server.versionListener(), out);
                } else {
                    subscriber = subscribe(settings, trusted, serving, server.versionListener(), out, failure, stop);
                }
                out.println("listening on http://" + host + ":" + server.port() + " ("
                        + (checkpoint != null ? "serving " + checkpoint : "following " + model + " on "
                        + kafka.topics().modelVersions() + (trusted == null ? ""
                        : ", " + VersionSourceOptions.describe(trusted)))
                        + (settings == null ? "; no Kafka: feedback is refused" : "; feedback to "
                        + kafka.topics().feedback()) + "); Ctrl-C stops");
                out.flush();
                if (subscriber != null) {
                    subscriber.start();
                }
                stop.await();
                err.println("stopping: requests in flight may take up to " + drain.toSeconds() + " s");
                err.flush();
            } finally {
                if (subscriber != null) {
                    subscriber.close();
                }
                try {
                    Runtime.getRuntime().removeShutdownHook(stopOnSignal);
                } catch (IllegalStateException shuttingDown) {
                    // stopped by the signal: everything closes below all the same, then the hook lets go
                }
            }
        } finally {
            stopped.countDown();
        }
        if (failure.get() != null) {
            throw new IllegalStateException("stopped following " + kafka.topics().modelVersions() + ": "
                    + ErrorReporting.describe(failure.get()), failure.get());
        }
        return 0;
    }

    private void serveCheckpoint(ServingModel serving, VersionListener metrics, PrintWriter out) throws IOException {
        byte[] bytes = Files.readAllBytes(checkpoint);
        String name = model != null ? model : stem(checkpoint.getFileName().toString());
        ModelVersion version = ModelVersion.newBuilder().setModelName(name).setVersion(checkpointVersion)
                .setParentVersion(checkpointVersion).setReferenceVersion(checkpointVersion)
                .setArtifact(new Artifact(checkpoint.toAbsolutePath().toUri().toString(), Sha256.hex(bytes),
                        (long) bytes.length, Checkpoint.FORMAT))
                .setStatus(VersionStatus.PASSED).setStatusReason("served from --checkpoint")
                .setTrainingWindow(List.of()).setPairs(0).setSteps(0).setObjective("none")
                .setHyperParameters(Map.of()).setSeed(0).setMetrics(Map.of()).setCreatedAt(Instant.now()).build();
        ModelInstance loaded = ModelInstance.load(bytes, checkpoint.toString(), Devices.resolve(device));
        serving.swap(loaded, version);
        metrics.applied(version);
        out.println("applied " + name + " v" + checkpointVersion + " from " + checkpoint + " (sha-256 "
                + version.getArtifact().getSha256() + ")");
    }

    private ModelSubscriber subscribe(ClientSettings settings, TrustedKeys trusted, ServingModel serving,
                                      VersionListener metrics, PrintWriter out, AtomicReference<Throwable> failure,
                                      CountDownLatch stop) {
        LocalArtifactStore store = source.store();
        VersionListener listener = new VersionListener() {
            @Override
            public void applied(ModelVersion v, String signedBy) {
                metrics.applied(v);
                out.println("applied v" + v.getVersion() + " (parent v" + v.getParentVersion() + ", " + v.getPairs()
                        + " pairs, sha-256 " + v.getArtifact().getSha256()
                        + (signedBy == null ? "" : ", signed by key " + signedBy) + ")");
                out.flush();
            }

            @Override
            public void refused(ModelVersion v, String reason) {
                metrics.refused(v, reason);
                out.println("refused v" + v.getVersion() + ": " + reason);
                out.flush();
            }

            @Override
            public void failed(Throwable cause) {
                metrics.failed(cause);
                failure.set(cause);
                stop.countDown();
            }
        };
        return ModelSubscriber.trusting(trusted, settings.commonMap(), kafka.topics().modelVersions(), model,
                List.of(store), serving, listener, Devices.resolve(device));
    }

    private static String stem(String fileName) {
        int dot = fileName.lastIndexOf('.');
        return dot > 0 ? fileName.substring(0, dot) : fileName;
    }
}
