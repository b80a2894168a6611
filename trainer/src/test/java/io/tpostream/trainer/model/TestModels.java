package io.tpostream.trainer.model;

import ai.djl.Device;
import io.tpostream.trainer.image.RgbImage;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;

/** Small models and inputs for model tests: one place, so every test builds them the same way. */
public final class TestModels {

    private TestModels() {
    }

    public static byte[] tokenizerJson() {
        try (InputStream in = TestModels.class.getResourceAsStream("/test-tokenizer.json")) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A very small LLaVA-shaped config with grouped-query attention and a -2 feature layer. */
    public static VlmConfig micro() {
        return new VlmConfig(
                new VlmConfig.VisionConfig(16, 8, 32, 2, 2, 64, 1e-5, "quick_gelu"),
                new VlmConfig.TextConfig(24, 32, 2, 4, 2, 64, 1e-6, 10000, 64),
                4, -2, "gelu", "prefix");
    }

    /** A very small model of the scene world's shape (32 px images, the scene tokenizer), untrained. */
    public static VlmConfig sceneMicro() {
        return new VlmConfig(
                new VlmConfig.VisionConfig(32, 8, 32, 1, 2, 64, 1e-5, "quick_gelu"),
                new VlmConfig.TextConfig(io.tpostream.trainer.eval.SceneVocabulary.size(), 32, 1, 4, 2, 64, 1e-6, 10000, 96),
                io.tpostream.trainer.eval.SceneVocabulary.IMAGE_ID, -1, "gelu", "prefix");
    }

    public static ModelInstance sceneMicroModel(long seed) {
        return ModelInstance.create(sceneMicro(), io.tpostream.trainer.eval.SceneVocabulary.resourceBytes(), seed,
                Device.cpu());
    }

    public static ModelInstance microModel(long seed) {
        return ModelInstance.create(micro(), tokenizerJson(), seed, Device.cpu());
    }

    /**
     * The tiny LLaVA parity fixture (ops/parity): a Hugging Face directory with causal attention, grouped-query
     * attention, vision_feature_layer -2 and a LLaMA-style BPE tokenizer.
     */
    public static synchronized Path llavaFixture() {
        if (llavaFixture == null) {
            try {
                URI config = TestModels.class.getResource("/parity/llava-tiny/config.json").toURI();
                llavaFixture = "jar".equals(config.getScheme()) ? extract(config) : Path.of(config).getParent();
            } catch (URISyntaxException | IOException e) {
                throw new IllegalStateException("cannot find the LLaVA fixture", e);
            }
        }
        return llavaFixture;
    }

    private static Path llavaFixture;

    /**
     * Another module's tests (ops) see the fixture inside the trainer's test jar, while models load from a
     * directory: copy it out once, into a directory deleted when the JVM exits.
     */
    private static Path extract(URI configInJar) throws IOException {
        Path target = Files.createTempDirectory("llava-tiny");
        target.toFile().deleteOnExit(); // registered first, deleted last: after the files in it
        try (FileSystem jar = FileSystems.newFileSystem(configInJar, Map.of());
             Stream<Path> files = Files.list(jar.provider().getPath(configInJar).getParent())) {
            for (Path file : files.toList()) {
                Path copy = target.resolve(file.getFileName().toString());
                Files.copy(file, copy);
                copy.toFile().deleteOnExit();
            }
        }
        return target;
    }

    public static ModelInstance llavaFixtureModel() {
        try {
            return ModelInstance.fromHuggingFace(llavaFixture(), HfLoadOptions.defaults());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static RgbImage randomImage(int size, long seed) {
        byte[] rgb = new byte[size * size * 3];
        new SplittableRandom(seed).nextBytes(rgb);
        return new RgbImage(size, size, rgb);
    }
}
