package io.tpostream.ops.demo;

import ai.djl.Device;
import io.tpostream.ops.base.BaseModels;
import io.tpostream.ops.console.ProgressBar;
import io.tpostream.ops.kafka.ClientSettings;
import io.tpostream.schema.AvroSerde;
import io.tpostream.schema.DeadLetter;
import io.tpostream.schema.FeedbackEvent;
import io.tpostream.schema.FeedbackKind;
import io.tpostream.schema.ModelVersion;
import io.tpostream.schema.PreferencePair;
import io.tpostream.schema.Sha256;
import io.tpostream.schema.TopicSnapshot;
import io.tpostream.schema.Topics;
import io.tpostream.schema.VersionStatus;
import io.tpostream.streams.PairingApp;
import io.tpostream.streams.PairingConfig;
import io.tpostream.trainer.eval.BiasMode;
import io.tpostream.trainer.eval.ChairMetric;
import io.tpostream.trainer.eval.Scene;
import io.tpostream.trainer.eval.SceneText;
import io.tpostream.trainer.eval.SceneWorld;
import io.tpostream.trainer.eval.Seeds;
import io.tpostream.trainer.image.RgbImage;
import io.tpostream.trainer.model.CaptionGenerator;
import io.tpostream.trainer.model.ModelInstance;
import io.tpostream.trainer.online.GateConfig;
import io.tpostream.trainer.online.OnlineTrainer;
import io.tpostream.trainer.online.OnlineTrainerConfig;
import io.tpostream.trainer.online.VersionHistory;
import io.tpostream.trainer.publish.LocalArtifactStore;
import io.tpostream.trainer.serving.ModelSubscriber;
import io.tpostream.trainer.serving.ServingModel;
import io.tpostream.trainer.serving.VersionListener;
import io.tpostream.trainer.tpo.LearningRateSchedule;
import io.tpostream.trainer.training.PreferenceConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;

/**
 * The whole loop in one process: an embedded KRaft broker, the pairing streams app, the online trainer, a
 * captioning service that serves whatever version is current (through the {@link ModelSubscriber}), and
 * simulated users whose feedback on those captions is what the trainer learns from.
 */
public final class DemoRun {

    public static final String MODEL = "scene-vlm";
    private static final long USER_STREAM = 41;

    private DemoRun() {
    }

    /** Runs until the settings' length has passed or {@code stop} says so; everything is closed on return. */
    public static DemoSummary run(DemoSettings s, PrintWriter console, BooleanSupplier stop) throws Exception {
        Device device = Device.cpu();
        Path base = BaseModels.ensure(s.pretrain(), device, s.out().resolve("base"), 100, console);
        LocalStack.deleteRecursively(s.out().resolve("artifacts"));
        console.println("starting an embedded Kafka broker, the pairing app, the trainer and the captioning service...");
        console.flush();
        // ratings of the two captions of one image arrive together: a short window pairs them and frees memory
        PairingConfig pairing = PairingConfig.builder().ratingWindow(Duration.ofSeconds(30)).grace(Duration.ofSeconds(5)).build();
        try (LocalStack stack = LocalStack.start(s.out(), pairing)) {
            return new Loop(s, console, stop, stack.client(), stack.topics(), stack.streams(), base, device).run();
        }
    }

    /** The running system and the users' loop. */
    private static final class Loop {
        final DemoSettings s;
        final PrintWriter console;
        final BooleanSupplier stop;
        final ClientSettings client;
        final Topics topics;
        final PairingApp streams;
        final Path base;
        final Device device;
        final List<ModelVersion> published = Collections.synchronizedList(new ArrayList<>());
        final List<Long> applied = Collections.synchronizedList(new ArrayList<>());
        final List<DemoSummary.ServingSample> samples = new ArrayList<>();
        final List<String[]> viewPairs = new ArrayList<>();
        final List<RgbImage> viewImages = new ArrayList<>();
        final AtomicReference<Throwable> trainerFailure = new AtomicReference<>();
        long feedbackSent;
        long malformedSent;

        Loop(DemoSettings s, PrintWriter console, BooleanSupplier stop, ClientSettings client, Topics topics,
             PairingApp streams, Path base, Device device) {
            this.s = s;
            this.console = console;
            this.stop = stop;
            this.client = client;
            this.topics = topics;
            this.streams = streams;
            this.base = base;
            this.device = device;
        }

        DemoSummary run() throws Exception {
            LocalArtifactStore artifacts = new LocalArtifactStore(s.out().resolve("artifacts"));
            OnlineTrainerConfig trainerConfig = OnlineTrainerConfig.builder(client.clientConfig(), topics, MODEL, base,
                            artifacts)
                    .training(PreferenceConfig.defaults(s.objective())
                            .withLearningRate(LearningRateSchedule.constant(s.learningRate())))
                    .batchSize(s.batchSize()).publishEverySteps(s.publishEverySteps()).publishEvery(s.publishEvery())
                    .maxQueuedPairs(512).gate(GateConfig.defaults().withProbeImages(s.gateProbeImages()))
                    .seed(s.seed()).device(device).build();
            OnlineTrainer trainer = new OnlineTrainer(trainerConfig, new OnlineTrainer.Listener() {
                @Override
                public void published(ModelVersion version, long publishMillis) {
                    published.add(version);
                }
            });
            Thread trainerThread = new Thread(() -> {
                try {
                    trainer.run();
                } catch (RuntimeException e) {
                    trainerFailure.set(e);
                }
            }, "trainer");
            trainerThread.start();
            ServingModel serving = new ServingModel();
            ModelSubscriber subscriber = new ModelSubscriber(client.clientConfig(), topics.modelVersions(), MODEL,
                    List.of(artifacts), null, serving, new VersionListener() {
                        @Override
                        public void applied(ModelVersion version) {
                            applied.add(version.getVersion());
                        }
                    }, device).start();
            double seconds;
            try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(client.producer(), new StringSerializer(),
                    new ByteArraySerializer())) {
                seconds = usersLoop(serving, producer);
                producer.flush();
            } finally {
                subscriber.close();
                trainer.close();
                trainerThread.join(Duration.ofSeconds(120).toMillis());
                serving.close();
            }
            if (trainerFailure.get() != null) {
                console.println("the trainer stopped: " + trainerFailure.get().getMessage());
            }
            List<ModelVersion> versions = VersionHistory.read(client.clientConfig(), topics.modelVersions(), MODEL,
                    Duration.ofSeconds(60)).versions();
            Map<String, Long> counts = awaitStreamsCaughtUp(feedbackSent + malformedSent);
            streams.close();
            DemoSummary.Accounting accounting = account(counts);
            List<DemoSummary.TokenView> views = tokenViews(versions);
            return new DemoSummary(s, versions, List.copyOf(applied), feedbackSent, malformedSent, counts, accounting,
                    List.copyOf(samples), views, seconds);
        }

        /** Waits (up to a minute) until the pairing app has read everything the users sent; its counters then. */
        private Map<String, Long> awaitStreamsCaughtUp(long sent) throws InterruptedException {
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            Map<String, Long> counts = streams.metricsSnapshot();
            while (counts.getOrDefault("events-in", 0L) < sent && System.nanoTime() < deadline) {
                Thread.sleep(200);
                counts = streams.metricsSnapshot();
            }
            return counts;
        }

        /** Reads the pairs, dead letters and outcomes back from the topics: what every input record became. */
        private DemoSummary.Accounting account(Map<String, Long> counts) {
            AvroSerde<PreferencePair> pairSerde = AvroSerde.of(PreferencePair.class);
            java.util.Set<String> sources = new java.util.HashSet<>();
            var pairs = TopicSnapshot.read(client.clientConfig(), topics.pairs(), Duration.ofSeconds(60));
            pairs.forEach(r -> sources.addAll(pairSerde.decode(r.value()).getSourceEventIds()));
            // the trainer's dead letters of quarantined pairs share the topic; they are not feedback records
            AvroSerde<DeadLetter> deadLetterSerde = AvroSerde.of(DeadLetter.class);
            long deadLetters = TopicSnapshot.read(client.clientConfig(), topics.deadLetters(), Duration.ofSeconds(60))
                    .stream().filter(r -> deadLetterSerde.decode(r.value()).getSourceTopic().equals(topics.feedback()))
                    .count();
            long outcomes = TopicSnapshot.read(client.clientConfig(), topics.outcomes(), Duration.ofSeconds(60)).size();
            return new DemoSummary.Accounting(counts.getOrDefault("events-in", 0L), pairs.size(), sources.size(),
                    deadLetters, counts.getOrDefault("held-ratings", 0L), outcomes);
        }

        /** Captions images with the serving model and lets the users react, tick by tick, until time is up. */
        private double usersLoop(ServingModel serving, KafkaProducer<String, byte[]> producer) throws Exception {
            SceneWorld world = SceneWorld.of(BiasMode.NONE, 32);
            SimulatedUsers users = new SimulatedUsers(s.users());
            AvroSerde<FeedbackEvent> serde = AvroSerde.of(FeedbackEvent.class);
            ProgressBar bar = new ProgressBar(console);
            long started = System.nanoTime();
            long nextLine = 0;
            long index = 0;
            while (!stop.getAsBoolean()) {
                double elapsed = (System.nanoTime() - started) / 1e9;
                if (elapsed >= s.length().toSeconds()) {
                    break;
                }
                if (trainerFailure.get() != null) {
                    throw new IllegalStateException("the trainer failed", trainerFailure.get());
                }
                long tickStart = System.nanoTime();
                if (serving.version().isPresent()) {
                    index = tick(world, users, serde, serving, producer, index, elapsed);
                }
                if (System.nanoTime() >= nextLine) {
                    progress(bar, elapsed, serving);
                    nextLine = System.nanoTime() + 3_000_000_000L;
                }
                long rest = s.tick().toNanos() - (System.nanoTime() - tickStart);
                if (rest > 0) {
                    Thread.sleep(rest / 1_000_000);
                }
            }
            console.println();
            return (System.nanoTime() - started) / 1e9;
        }

        /** What the serving model wrote for one tick's images, and the version it was. */
        private record Captions(List<CaptionGenerator.Generation> greedy, List<CaptionGenerator.Generation> sampled,
                                long version) {
        }

        private long tick(SceneWorld world, SimulatedUsers users, AvroSerde<FeedbackEvent> serde, ServingModel serving,
                          KafkaProducer<String, byte[]> producer, long index, double elapsed) {
            List<Scene> scenes = new ArrayList<>();
            List<RgbImage> images = new ArrayList<>();
            for (int i = 0; i < s.imagesPerTick(); i++) {
                Scene scene = world.scene(s.seed(), index + i);
                scenes.add(scene);
                images.add(world.render(scene));
            }
            // the version is the one that wrote the captions: read with the model, as a swap may come right after
            Optional<Captions> served = serving.serve((m, v) -> {
                CaptionGenerator g = new CaptionGenerator(m, 24);
                return new Captions(g.generate(images, SceneText.CAPTION_PROMPT, 0, 0),
                        g.generate(images, SceneText.CAPTION_PROMPT, 1.0, s.seed() * 31 + index), v.getVersion());
            });
            if (served.isEmpty()) {
                return index;
            }
            List<CaptionGenerator.Generation> greedy = served.get().greedy();
            List<CaptionGenerator.Generation> sampled = served.get().sampled();
            long version = served.get().version();
            ChairMetric chair = new ChairMetric();
            Instant now = Instant.now();
            for (int i = 0; i < scenes.size(); i++) {
                RgbImage image = images.get(i);
                byte[] png = image.encodePng();
                String sha = Sha256.hex(png);
                String caption = greedy.get(i).text().isBlank() ? "." : greedy.get(i).text();
                String alternative = sampled.get(i).text().isBlank() ? caption : sampled.get(i).text();
                chair.add(caption, scenes.get(i));
                SimulatedUsers.Shown shown = new SimulatedUsers.Shown(sha, png, image.width(), scenes.get(i),
                        SceneText.CAPTION_PROMPT, caption, alternative, MODEL, version);
                SimulatedUsers.Sent sent = users.react(shown, index + i, Seeds.random(s.seed(), index + i, USER_STREAM), now);
                for (FeedbackEvent e : sent.events()) {
                    producer.send(new ProducerRecord<>(topics.feedback(), sha, serde.encode(e)));
                    feedbackSent++;
                    if (e.getKind() == FeedbackKind.CORRECTION && viewPairs.size() < 3
                            && !"malicious".equals(e.getAttributes().get("user"))) {
                        viewPairs.add(new String[] {e.getPrompt(), e.getCorrectedResponse(), e.getResponse()});
                        viewImages.add(image);
                    }
                }
                for (byte[] bad : sent.malformed()) {
                    producer.send(new ProducerRecord<>(topics.feedback(), sha, bad));
                    malformedSent++;
                }
            }
            ChairMetric.Result r = chair.result();
            samples.add(new DemoSummary.ServingSample(elapsed, version, r.captions(), r.mentions(),
                    r.hallucinatedMentions(), r.hallucinatingCaptions()));
            return index + scenes.size();
        }

        private void progress(ProgressBar bar, double elapsed, ServingModel serving) {
            Map<String, Long> c = streams.metricsSnapshot();
            long passed;
            long rejected;
            synchronized (published) {
                passed = published.stream().filter(v -> v.getStatus() == VersionStatus.PASSED).count();
                rejected = published.size() - passed;
            }
            String servingVersion = serving.version().map(v -> "v" + v.getVersion()).orElse("-");
            ModelVersion current = serving.version().orElse(null);
            String quality = current == null ? "" : String.format(Locale.ROOT, " CHAIR_i %.3f POPE-adv F1 %.3f",
                    current.getMetrics().getOrDefault("eval/chair_i", Double.NaN),
                    current.getMetrics().getOrDefault("eval/pope_adversarial_f1", Double.NaN));
            String live = liveChair(samples.size() - 10);
            String label = String.format(Locale.ROOT,
                    "feedback %d (+%d broken) | pairs %d | dead letters %d | versions %d passed %d rejected | serving %s%s | live CHAIR_i %s",
                    feedbackSent, malformedSent, c.getOrDefault("pairs-out", 0L), c.getOrDefault("dead-letters", 0L),
                    passed, rejected, servingVersion, quality, live);
            bar.update(label, Math.round(elapsed), s.length().toSeconds());
        }

        private String liveChair(int from) {
            int mentions = 0;
            int hallucinated = 0;
            for (int i = Math.max(0, from); i < samples.size(); i++) {
                mentions += samples.get(i).mentions();
                hallucinated += samples.get(i).hallucinated();
            }
            return mentions == 0 ? "-" : String.format(Locale.ROOT, "%.3f", (double) hallucinated / mentions);
        }

        /** A few users' corrections, scored token by token by the base model and by the last PASSED version. */
        private List<DemoSummary.TokenView> tokenViews(List<ModelVersion> versions) throws IOException {
            ModelVersion last = versions.stream().filter(v -> v.getStatus() == VersionStatus.PASSED)
                    .max(Comparator.comparingLong(ModelVersion::getVersion)).orElse(null);
            if (last == null || viewPairs.isEmpty()) {
                return List.of();
            }
            try (ModelInstance before = ModelInstance.load(base, device);
                 ModelInstance after = ModelInstance.load(Path.of(URI.create(last.getArtifact().getUri())), device)) {
                return TokenViews.score(before, after, viewPairs, viewImages);
            }
        }
    }
}
