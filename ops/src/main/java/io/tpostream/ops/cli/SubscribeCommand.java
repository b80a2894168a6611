package io.tpostream.ops.cli;

import io.tpostream.schema.ModelVersion;
import io.tpostream.trainer.eval.SceneText;
import io.tpostream.trainer.image.RgbImage;
import io.tpostream.trainer.model.CaptionGenerator;
import io.tpostream.trainer.model.Devices;
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
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;

@Command(name = "subscribe",
        description = {
                "Follows the model-versions topic like a serving application, until Ctrl-C: after catching up it "
                        + "loads the newest PASSED version, then every newer one, each only after its artifact's "
                        + "sha-256 (and, with --public-key, an Ed25519 signature of a trusted key over the whole "
                        + "record) checks out.",
                "Prints 'applied vN ...' or 'refused vN: REASON' per version; a refused version leaves the current "
                        + "model in service. REJECTED versions are never applied."})
final class SubscribeCommand implements Callable<Integer> {

    private static final int CAPTION_TOKENS = 24;

    @Spec
    CommandSpec spec;

    @Mixin
    KafkaOptions kafka;

    @Option(names = "--model", required = true, paramLabel = "NAME", description = "The model to follow.")
    String model;

    @Mixin
    VersionSourceOptions source;

    @Option(names = "--caption", paramLabel = "IMAGE", arity = "1..*",
            description = "Images (PNG/JPEG) to caption with each newly applied version.")
    List<Path> captionImages = new ArrayList<>();

    @Option(names = "--device", paramLabel = "auto|cpu|gpu[:N]", defaultValue = "cpu", description = "Where to load models.")
    String device;

    @Option(names = "--until-version", paramLabel = "V", defaultValue = "-1",
            description = "Exit (status 0) once version V or newer is applied, e.g. to wait for a rollout; "
                    + "-1: follow until stopped.")
    long untilVersion;

    @Override
    public Integer call() throws InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        TrustedKeys trusted = source.trusted();
        Map<Path, RgbImage> images = readImages();
        LocalArtifactStore store = source.store();
        CountDownLatch done = new CountDownLatch(1);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        try (ServingModel serving = new ServingModel()) {
            VersionListener listener = new VersionListener() {
                @Override
                public void applied(ModelVersion v, String signedBy) {
                    out.println("applied v" + v.getVersion() + " (parent v" + v.getParentVersion() + ", " + v.getPairs()
                            + " pairs, sha-256 " + v.getArtifact().getSha256()
                            + (signedBy == null ? "" : ", signed by key " + signedBy) + ")");
                    images.forEach((path, image) -> out.println("  caption " + path.getFileName() + ": "
                            + serving.withModel(m -> caption(m, image)).orElse("(no model)")));
                    out.flush();
                    if (untilVersion >= 0 && v.getVersion() >= untilVersion) {
                        done.countDown();
                    }
                }

                @Override
                public void refused(ModelVersion v, String reason) {
                    out.println("refused v" + v.getVersion() + ": " + reason);
                    out.flush();
                }

                @Override
                public void failed(Throwable cause) {
                    failure.set(cause);
                    done.countDown();
                }
            };
            try (ModelSubscriber subscriber = ModelSubscriber.trusting(trusted, kafka.clientSettings().commonMap(),
                    kafka.topics().modelVersions(), model, List.of(store), serving, listener, Devices.resolve(device))) {
                Thread stopOnSignal = new Thread(done::countDown, "tpo-subscribe-stop");
                Runtime.getRuntime().addShutdownHook(stopOnSignal);
                err.println("following " + model + " on " + kafka.topics().modelVersions()
                        + (trusted == null ? "" : " (" + VersionSourceOptions.describe(trusted) + ")")
                        + "; Ctrl-C stops");
                err.flush();
                subscriber.start();
                done.await();
                try {
                    Runtime.getRuntime().removeShutdownHook(stopOnSignal);
                } catch (IllegalStateException shuttingDown) {
                    // stopped by the signal: the subscriber closes below all the same
                }
            }
        }
        if (failure.get() != null) {
            // without this the command would wait forever for versions its dead subscriber can no longer see
            throw new IllegalStateException("stopped following " + kafka.topics().modelVersions() + ": "
                    + ErrorReporting.describe(failure.get()), failure.get());
        }
        return 0;
    }

    private static String caption(io.tpostream.trainer.model.ModelInstance m, RgbImage image) {
        return new CaptionGenerator(m, CAPTION_TOKENS).generate(List.of(image), SceneText.CAPTION_PROMPT, 0, 0)
                .get(0).text();
    }

    private Map<Path, RgbImage> readImages() {
        Map<Path, RgbImage> images = new LinkedHashMap<>();
        for (Path p : captionImages) {
            try {
                images.put(p, RgbImage.decode(Files.readAllBytes(p)));
            } catch (IOException | IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), "--caption: cannot read " + p + ": " + e.getMessage(), e);
            }
        }
        return images;
    }
}
