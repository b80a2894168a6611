package io.tpostream.ops.bench;

import ai.djl.Device;
import io.tpostream.ops.demo.LocalStack;
import io.tpostream.schema.AvroSerde;
import io.tpostream.schema.FeedbackEvent;
import io.tpostream.schema.FeedbackKind;
import io.tpostream.schema.ImageRef;
import io.tpostream.schema.ModelVersion;
import io.tpostream.schema.PreferencePair;
import io.tpostream.schema.Sha256;
import io.tpostream.schema.TopicSnapshot;
import io.tpostream.streams.PairingConfig;
import io.tpostream.trainer.eval.BiasMode;
import io.tpostream.trainer.eval.Scene;
import io.tpostream.trainer.eval.SceneText;
import io.tpostream.trainer.eval.SceneWorld;
import io.tpostream.trainer.eval.Seeds;
import io.tpostream.trainer.experiment.regime.SampleRanking;
import io.tpostream.trainer.image.RgbImage;
import io.tpostream.trainer.model.CaptionGenerator;
import io.tpostream.trainer.online.GateConfig;
import io.tpostream.trainer.online.OnlineTrainer;
import io.tpostream.trainer.online.OnlineTrainerConfig;
import io.tpostream.trainer.online.VersionHistory;
import io.tpostream.trainer.publish.LocalArtifactStore;
import io.tpostream.trainer.serving.ModelSubscriber;
import io.tpostream.trainer.serving.ServingModel;
import io.tpostream.trainer.serving.VersionListener;
import io.tpostream.trainer.training.ProcessMemory;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiConsumer;

/**
 * A steady stream of feedback through the pairing app and the online trainer on an embedded broker: how long
 * from a user's feedback until a served (PASSED) version has learned from it, and what publishing costs the
 * trainer. The feedback is the study's production-like regime, on-policy ratings: for each fresh scene the
 * serving model (whatever version the subscriber last applied) writes {@value #SAMPLES} sampled captions, a user
 * who sees the scene prefers the best over the worst ({@link SampleRanking}), and sends that as a comparison, which
 * becomes a pair at once. Scenes whose samples tie send nothing (counted).
 */
public final class EndToEndBenchmark {

    private static final String MODEL = "bench-vlm";
    private static final long USER_STREAM = 51;
    public static final int SAMPLES = 4;

    /**
     * @param length          how long feedback flows
     * @param eventsPerSecond feedback rate
     * @param batchSize       pairs per training step
     * @param publishEverySteps / publishEvery the trainer's version cadence
     * @param gateProbeImages probe-set size of the promotion gate
     */
    public record Settings(Path dir, Path base, Duration length, double eventsPerSecond, int batchSize,
                           int publishEverySteps, Duration publishEvery, int gateProbeImages, long seed) {
    }

    /**
     * @param freshness          feedback to first PASSED version containing its pair
     * @param versions           versions published (v0 = the base)
     * @param trainerSeconds     the trainer's wall time
     * @param publishSeconds     writing checkpoints plus the transactions (all versions)
     * @param gateSeconds        evaluating candidates (all versions)
     * @param eventsSent         feedback events sent
     * @param tiedScenes         scenes whose sampled captions all ranked equal, so no feedback was sent
     * @param memory             this process's memory after each published version, in order
     */
    public record Result(Freshness.Result freshness, List<ModelVersion> versions, double trainerSeconds,
                         double publishSeconds, double gateSeconds, long eventsSent, long tiedScenes,
                         List<MemorySample> memory) {
    }

    /**
     * Taken on the trainer's thread right after a version is published (after its publish timer stopped): the
     * resident size of the whole process (broker, streams app, trainer and PyTorch's native memory) and the heap
     * retained after a full collection.
     */
    public record MemorySample(long version, long residentKb, long heapAfterGcBytes) {
    }

    private EndToEndBenchmark() {
    }

    public static Result run(Settings s, BiConsumer<Long, Long> progress) throws Exception {
        LocalStack.deleteRecursively(s.dir().resolve("artifacts"));
        try (LocalStack stack = LocalStack.start(s.dir(), PairingConfig.defaults())) {
            LocalArtifactStore artifacts = new LocalArtifactStore(s.dir().resolve("artifacts"));
            OnlineTrainerConfig config = OnlineTrainerConfig.builder(stack.client().clientConfig(), stack.topics(),
                            MODEL, s.base(), artifacts)
                    .batchSize(s.batchSize()).publishEverySteps(s.publishEverySteps()).publishEvery(s.publishEvery())
                    .gate(GateConfig.defaults().withProbeImages(s.gateProbeImages())).traceTokens(false)
                    .seed(s.seed()).build();
            long[] publishMillis = {0};
            List<MemorySample> memory = new CopyOnWriteArrayList<>();
            OnlineTrainer trainer = new OnlineTrainer(config, new OnlineTrainer.Listener() {
                @Override
                public void published(ModelVersion version, long millis) {
                    synchronized (publishMillis) {
                        publishMillis[0] += millis;
                    }
                    memory.add(new MemorySample(version.getVersion(), ProcessMemory.residentKb("VmRSS"),
                            ProcessMemory.heapAfterGcBytes()));
                }
            });
            Thread trainerThread = new Thread(trainer::run, "bench-trainer");
            long trainerStarted = System.nanoTime();
            trainerThread.start();
            long[] sentAndTied;
            try (ServingModel serving = new ServingModel();
                 ModelSubscriber subscriber = new ModelSubscriber(stack.client().clientConfig(),
                         stack.topics().modelVersions(), MODEL, List.of(artifacts), null, serving,
                         new VersionListener() { }, Device.cpu()).start()) {
                awaitFirstVersion(serving);
                sentAndTied = send(stack, s, serving, progress);
                // give the trainer one more cadence to take in the last pairs before it stops
                Thread.sleep(s.publishEvery().toMillis() + 5_000);
            }
            trainer.close();
            trainerThread.join(Duration.ofMinutes(2).toMillis());
            long sent = sentAndTied[0];
            double trainerSeconds = (System.nanoTime() - trainerStarted) / 1e9;

            List<ModelVersion> versions = VersionHistory.read(stack.client().clientConfig(),
                    stack.topics().modelVersions(), MODEL, Duration.ofSeconds(60)).versions();
            AvroSerde<PreferencePair> pairs = AvroSerde.of(PreferencePair.class);
            List<Freshness.PairPosition> positions = new ArrayList<>();
            TopicSnapshot.read(stack.client().clientConfig(), stack.topics().pairs(), Duration.ofSeconds(60))
                    .forEach(r -> positions.add(new Freshness.PairPosition(r.topic(), r.partition(), r.offset(),
                            pairs.decode(r.value()).getSourceOccurredAt().toEpochMilli())));
            double gate = versions.stream().mapToDouble(v -> v.getMetrics().getOrDefault("publish/gate_ms", 0.0)).sum() / 1000;
            double publish;
            synchronized (publishMillis) {
                publish = publishMillis[0] / 1000.0 - gate;
            }
            return new Result(Freshness.compute(positions, versions), versions, trainerSeconds, publish, gate, sent,
                    sentAndTied[1], List.copyOf(memory));
        }
    }

    /** A user's verdict on the captions one served version wrote for a scene. */
    private record Rated(Optional<SampleRanking.Preference> preference, long version) {
    }

    /** The serving side needs a model before users can see captions: v0, the base, published at the start. */
    private static void awaitFirstVersion(ServingModel serving) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        while (serving.version().isEmpty()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("no model version was served within 3 minutes of the start");
            }
            Thread.sleep(100);
        }
    }

    /**
     * One scene per tick: the served model's sampled captions, ranked by a user who sees the scene, best against
     * worst as a comparison. Returns the events sent and the scenes that tied.
     */
    private static long[] send(LocalStack stack, Settings s, ServingModel serving, BiConsumer<Long, Long> progress)
            throws InterruptedException {
        SceneWorld world = SceneWorld.of(BiasMode.NONE, 32);
        AvroSerde<FeedbackEvent> serde = AvroSerde.of(FeedbackEvent.class);
        long total = Math.round(s.length().toMillis() / 1000.0 * s.eventsPerSecond());
        long intervalNanos = (long) (1e9 / s.eventsPerSecond());
        long started = System.nanoTime();
        long sent = 0;
        long tied = 0;
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(stack.client().producer(),
                new StringSerializer(), new ByteArraySerializer())) {
            for (long i = 0; i < total; i++) {
                long due = started + i * intervalNanos;
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                }
                Scene scene = world.scene(s.seed(), i);
                RgbImage image = world.render(scene);
                long seed = Seeds.derive(s.seed(), i, USER_STREAM);
                Optional<Rated> rated = serving.serve((m, v) -> new Rated(SampleRanking.bestAgainstWorst(
                        new CaptionGenerator(m, 24).generate(Collections.nCopies(SAMPLES, image),
                                SceneText.CAPTION_PROMPT, 1.0, seed).stream().map(CaptionGenerator.Generation::text)
                                .filter(t -> !t.isBlank()).toList(), scene), v.getVersion()));
                if (rated.isEmpty() || rated.get().preference().isEmpty()) {
                    tied++;
                    progress.accept(i + 1, total);
                    continue;
                }
                SampleRanking.Preference preference = rated.get().preference().get();
                byte[] png = image.encodePng();
                String sha = Sha256.hex(png);
                FeedbackEvent e = FeedbackEvent.newBuilder().setEventId("bench-" + i).setOccurredAt(Instant.now())
                        .setModelName(MODEL).setModelVersion(rated.get().version())
                        .setImage(ImageRef.newBuilder().setSha256(sha).setBytes(ByteBuffer.wrap(png))
                                .setWidth(image.width()).setHeight(image.height()).build())
                        .setPrompt(SceneText.CAPTION_PROMPT).setResponse(preference.chosen().caption())
                        .setKind(FeedbackKind.COMPARISON).setOtherResponse(preference.rejected().caption())
                        .setOtherPreferred(false).build();
                producer.send(new ProducerRecord<>(stack.topics().feedback(), sha, serde.encode(e)));
                sent++;
                progress.accept(i + 1, total);
            }
        }
        return new long[] {sent, tied};
    }

    /** Latencies ascending, for a histogram or a median. */
    static List<Long> sorted(List<Long> values) {
        List<Long> out = new ArrayList<>(values);
        Collections.sort(out);
        return out;
    }
}
