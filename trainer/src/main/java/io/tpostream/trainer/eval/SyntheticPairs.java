package io.tpostream.trainer.eval;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Preference pairs for offline experiments, straight from the world (no Kafka, no model): pair {@code i} of
 * {@code seed} is scene {@code i} of the world, its true caption as chosen, and as rejected either
 * {@link SceneText#hallucinate} (probability 1 - wrongAttributeRate) or {@link SceneText#withWrongAttribute};
 * that choice and the corruption draw come from {@code Seeds.random(seed, i, Seeds.PAIR_REJECTED)}.
 *
 * <p>Which world to draw from matters: in the training world a present object's partner is usually present too,
 * so only about 18% of the extra objects can be partners (the rest are random absent kinds); in the unbiased
 * world about 77% are. Use {@link SceneWorld#unbiased()} for pairs that teach the model not to add the partner.
 */
public final class SyntheticPairs {

    public static final double DEFAULT_WRONG_ATTRIBUTE_RATE = 0.2;

    private SyntheticPairs() {
    }

    public static List<SyntheticPair> generate(SceneWorld world, long seed, int n) {
        return generate(world, seed, n, DEFAULT_WRONG_ATTRIBUTE_RATE);
    }

    public static List<SyntheticPair> generate(SceneWorld world, long seed, int n, double wrongAttributeRate) {
        List<SyntheticPair> pairs = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            pairs.add(pair(world, seed, i, wrongAttributeRate));
        }
        return pairs;
    }

    public static SyntheticPair pair(SceneWorld world, long seed, long index, double wrongAttributeRate) {
        if (!(wrongAttributeRate >= 0 && wrongAttributeRate <= 1)) {
            throw new IllegalArgumentException("wrongAttributeRate must be in [0, 1]: " + wrongAttributeRate);
        }
        Scene scene = world.scene(seed, index);
        SplittableRandom rng = Seeds.random(seed, index, Seeds.PAIR_REJECTED);
        boolean wrongAttribute = rng.nextDouble() < wrongAttributeRate;
        String rejected = wrongAttribute ? SceneText.withWrongAttribute(scene, rng) : SceneText.hallucinate(scene, rng);
        return new SyntheticPair(world.render(scene), SceneText.CAPTION_PROMPT, SceneText.caption(scene), rejected,
                scene, wrongAttribute ? SyntheticPair.Corruption.WRONG_ATTRIBUTE
                        : SyntheticPair.Corruption.EXTRA_OBJECT);
    }
}
