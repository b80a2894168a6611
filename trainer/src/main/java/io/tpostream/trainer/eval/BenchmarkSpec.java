package io.tpostream.trainer.eval;

import java.util.Objects;

/**
 * What a benchmark is drawn from: scenes 0..n-1 of {@code seed} in {@code world}.
 */
public record BenchmarkSpec(long seed, int n, SceneWorld.Config world) {

    public BenchmarkSpec {
        Objects.requireNonNull(world, "world");
        if (n < 1) {
            throw new IllegalArgumentException("a benchmark needs at least one image: " + n);
        }
    }

    /** Default world (up to 4 objects, partner probability 0.9 in train mode) with this bias and image size. */
    public static BenchmarkSpec of(long seed, int n, BiasMode bias, int imageSize) {
        return new BenchmarkSpec(seed, n,
                SceneWorld.Config.defaults().withImageSize(imageSize).withBias(CooccurrenceBias.of(bias)));
    }

    /**
     * The pre-training distribution that "popular" refers to: this world in train mode (keeping its partner
     * probability if it is a train world, else the default one).
     */
    public SceneWorld trainingWorld() {
        CooccurrenceBias bias = world.mode() == BiasMode.TRAIN ? world.bias() : CooccurrenceBias.train();
        return new SceneWorld(world.withBias(bias));
    }
}
