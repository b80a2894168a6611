package io.tpostream.ops.testing;

import io.tpostream.schema.ModelVersion;
import io.tpostream.schema.Topics;
import io.tpostream.trainer.image.ImageSources;
import io.tpostream.trainer.online.GateConfig;
import io.tpostream.trainer.online.OnlineTrainer;
import io.tpostream.trainer.online.OnlineTrainerConfig;
import io.tpostream.trainer.online.StalenessBound;
import io.tpostream.trainer.publish.LocalArtifactStore;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * An {@link OnlineTrainer} on a thread of its own with small test settings (batches of 4, a version every 2 steps
 * or 2 seconds, a 4-image probe set that lets every finite candidate pass), and what it published.
 */
public final class TestTrainer implements AutoCloseable {

    /** Test settings; change what a test is about, build, start. */
    public static final class Settings {
        private final String bootstrap;
        private final Topics topics;
        private final String model;
        private final Path base;
        private final Path artifacts;
        private GateConfig gate = GateConfig.defaults().withProbeImages(4).withThresholds(1.0, 1.0);
        private KeyPair signingKey;
        private int batchSize = 4;
        private int publishEverySteps = 2;
        private Duration publishEvery = Duration.ofSeconds(2);
        private StalenessBound staleness = StalenessBound.off();
        private ImageSources images = ImageSources.defaults();

        public Settings(String bootstrap, Topics topics, String model, Path base, Path artifacts) {
            this.bootstrap = bootstrap;
            this.topics = topics;
            this.model = model;
            this.base = base;
            this.artifacts = artifacts;
        }

        public Settings gate(GateConfig g) {
            this.gate = g;
            return this;
        }

        public Settings signingKey(KeyPair k) {
            this.signingKey = k;
            return this;
        }

        public Settings staleness(StalenessBound bound) {
            this.staleness = bound;
            return this;
        }

        public Settings images(ImageSources sources) {
            this.images = sources;
            return this;
        }

        public Settings publishEverySteps(int n) {
            this.publishEverySteps = n;
            return this;
        }

        public OnlineTrainerConfig build() {
            try {
                return OnlineTrainerConfig.builder(Map.of("bootstrap.servers", bootstrap), topics, model, base,
                                new LocalArtifactStore(artifacts))
                        .batchSize(batchSize).publishEverySteps(publishEverySteps).publishEvery(publishEvery)
                        .maxQueuedPairs(64).gate(gate).staleness(staleness).signingKey(signingKey).seed(7)
                        .images(images).build();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        public TestTrainer start() {
            return TestTrainer.start(build());
        }
    }

    private final OnlineTrainer trainer;
    private final Thread thread;
    private final List<ModelVersion> published = new CopyOnWriteArrayList<>();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();

    private TestTrainer(OnlineTrainerConfig config) {
        this.trainer = new OnlineTrainer(config, new OnlineTrainer.Listener() {
            @Override
            public void published(ModelVersion version, long publishMillis) {
                published.add(version);
            }
        });
        this.thread = new Thread(() -> {
            try {
                trainer.run();
            } catch (Throwable t) {
                failure.set(t);
            }
        }, "test-trainer-" + config.modelName());
    }

    public static TestTrainer start(OnlineTrainerConfig config) {
        TestTrainer t = new TestTrainer(config);
        t.thread.start();
        return t;
    }

    /** What this trainer published, in order (including a version 0 it made). */
    public List<ModelVersion> published() {
        return List.copyOf(published);
    }

    /** Waits for the trainer's thread to end on its own; its failure, or null. */
    public Throwable awaitEnd(Duration deadline) throws InterruptedException {
        thread.join(deadline.toMillis());
        if (thread.isAlive()) {
            fail("the trainer is still running after " + deadline.toSeconds() + " s");
        }
        return failure.get();
    }

    public boolean running() {
        return thread.isAlive();
    }

    /** Fails the test with the trainer's own failure if its thread has ended. */
    public void assertAlive() {
        if (!thread.isAlive()) {
            throw new AssertionError("the trainer stopped", failure.get());
        }
    }

    /** Stops it as Ctrl-C would and waits; fails the test if it failed. */
    @Override
    public void close() throws InterruptedException {
        trainer.close();
        Throwable t = awaitEnd(Await.DEADLINE);
        if (t != null) {
            throw new AssertionError("the trainer failed", t);
        }
    }
}
