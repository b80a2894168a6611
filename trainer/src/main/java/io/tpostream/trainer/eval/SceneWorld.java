package io.tpostream.trainer.eval;

import io.tpostream.trainer.image.RgbImage;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * Draws scenes. Scene {@code i} of seed {@code s} is drawn from {@code Seeds.random(s, i, Seeds.SCENE)}, so it is
 * the same whatever other scenes are drawn.
 *
 * <p>Sampling: a target count uniform in 1..maxObjects; then, until the scene has that many objects, a kind is
 * drawn among the absent ones with probability proportional to its {@link KindPrior} weight and placed, and its
 * partner (if absent and a slot is free) is placed too with the bias's probability, which may take the scene past
 * its target; the placed objects then get a random permutation of the slots, a jitter each, and the scene a noise
 * seed. {@link KindFrequencies} computes the exact kind frequencies of this process.
 */
public final class SceneWorld {

    /**
     * @param imageSize  side of the square image in pixels, 32..64
     * @param maxObjects the largest target object count, 1..4 (co-occurrence may add one more, up to 4)
     * @param bias       the co-occurrence bias, whose mode also picks the kind prior
     */
    public record Config(int imageSize, int maxObjects, CooccurrenceBias bias) {
        public static final int DEFAULT_IMAGE_SIZE = 32;

        public Config {
            Objects.requireNonNull(bias, "bias");
            if (imageSize < Scene.MIN_IMAGE_SIZE || imageSize > Scene.MAX_IMAGE_SIZE) {
                throw new IllegalArgumentException("image size must be in " + Scene.MIN_IMAGE_SIZE + ".."
                        + Scene.MAX_IMAGE_SIZE + ": " + imageSize);
            }
            if (maxObjects < 1 || maxObjects > Scene.MAX_OBJECTS) {
                throw new IllegalArgumentException("maxObjects must be in 1.." + Scene.MAX_OBJECTS + ": " + maxObjects);
            }
        }

        /** 32×32, up to 4 objects, training bias with strength 0.9. */
        public static Config defaults() {
            return new Config(DEFAULT_IMAGE_SIZE, Scene.MAX_OBJECTS, CooccurrenceBias.train());
        }

        public Config withImageSize(int size) {
            return new Config(size, maxObjects, bias);
        }

        public Config withMaxObjects(int max) {
            return new Config(imageSize, max, bias);
        }

        public Config withBias(CooccurrenceBias newBias) {
            return new Config(imageSize, maxObjects, newBias);
        }

        public BiasMode mode() {
            return bias.mode();
        }
    }

    private final Config config;
    private final double[] prior;
    private volatile double[] frequencies;

    public SceneWorld(Config config) {
        this.config = Objects.requireNonNull(config, "config");
        this.prior = KindPrior.weights(config.mode());
    }

    /** The pre-training distribution at 32×32. */
    public static SceneWorld training() {
        return new SceneWorld(Config.defaults());
    }

    /** The unbiased distribution at 32×32. */
    public static SceneWorld unbiased() {
        return new SceneWorld(Config.defaults().withBias(CooccurrenceBias.none()));
    }

    public static SceneWorld of(BiasMode mode, int imageSize) {
        return new SceneWorld(Config.defaults().withImageSize(imageSize).withBias(CooccurrenceBias.of(mode)));
    }

    public Config config() {
        return config;
    }

    /** Scene {@code index} of {@code seed}. */
    public Scene scene(long seed, long index) {
        return sample(Seeds.random(seed, index, Seeds.SCENE));
    }

    public RgbImage render(Scene scene) {
        return SceneRenderer.render(scene);
    }

    /** Draws one scene from the stream, consuming it in the order the class comment describes. */
    public Scene sample(RandomGenerator rng) {
        int target = 1 + rng.nextInt(config.maxObjects());
        List<ObjectKind> placed = new ArrayList<>();
        while (placed.size() < target) {
            ObjectKind kind = drawAbsent(placed, rng);
            placed.add(kind);
            double p = config.bias().partnerProbability(kind);
            if (p > 0) {
                ObjectKind partner = CooccurrenceBias.partnerOf(kind).orElseThrow();
                // the draw happens only when the partner could be placed, so the stream stays in step with
                // KindFrequencies' enumeration
                if (!placed.contains(partner) && placed.size() < Scene.MAX_OBJECTS && rng.nextDouble() < p) {
                    placed.add(partner);
                }
            }
        }
        Slot[] slots = Slot.values().clone();
        for (int i = slots.length - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            Slot t = slots[i];
            slots[i] = slots[j];
            slots[j] = t;
        }
        List<SceneObject> objects = new ArrayList<>();
        for (int i = 0; i < placed.size(); i++) {
            objects.add(new SceneObject(placed.get(i), slots[i], rng.nextDouble(), rng.nextDouble()));
        }
        return new Scene(config.imageSize(), objects, rng.nextLong());
    }

    private ObjectKind drawAbsent(List<ObjectKind> placed, RandomGenerator rng) {
        double total = 0;
        for (ObjectKind k : ObjectKind.ALL) {
            if (!placed.contains(k)) {
                total += prior[k.index()];
            }
        }
        double u = rng.nextDouble() * total;
        ObjectKind last = null;
        for (ObjectKind k : ObjectKind.ALL) {
            if (placed.contains(k)) {
                continue;
            }
            last = k;
            u -= prior[k.index()];
            if (u < 0) {
                return k;
            }
        }
        return last; // rounding left u at a hair above 0
    }

    /** P(kind is in a scene), indexed by {@link ObjectKind#index()}; exact, computed once. */
    public double[] kindFrequencies() {
        double[] f = frequencies;
        if (f == null) {
            f = KindFrequencies.exact(config);
            frequencies = f;
        }
        return f.clone();
    }

    /** All kinds, most frequent first, under this world's distribution. */
    public List<ObjectKind> popularity() {
        double[] f = kindFrequencies();
        return ObjectKind.ALL.stream()
                .sorted(Comparator.comparingDouble((ObjectKind k) -> -f[k.index()]).thenComparing(ObjectKind::index))
                .toList();
    }

    /** Configuration, partner pairs and kind frequencies, for logs and debugging. */
    public String describe() {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format("scene world: %dx%d px, 1..%d objects, bias %s", config.imageSize(),
                config.imageSize(), config.maxObjects(), config.mode().jsonName()));
        if (config.mode() == BiasMode.TRAIN) {
            sb.append(String.format(" (partner placed with probability %.2f)", config.bias().strength()));
        }
        sb.append('\n');
        sb.append("partner pairs:\n");
        for (CooccurrenceBias.PartnerPair p : CooccurrenceBias.PAIRS) {
            sb.append("  ").append(p).append('\n');
        }
        sb.append("kind frequencies (P(kind in scene)), most frequent first:\n");
        double[] f = kindFrequencies();
        for (ObjectKind k : popularity()) {
            sb.append(String.format("  %-16s %.3f%n", k, f[k.index()]));
        }
        return sb.toString();
    }

    @Override
    public String toString() {
        return "SceneWorld" + config;
    }
}
