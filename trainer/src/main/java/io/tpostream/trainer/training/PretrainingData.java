package io.tpostream.trainer.training;

import io.tpostream.trainer.eval.ObjectKind;
import io.tpostream.trainer.eval.Scene;
import io.tpostream.trainer.eval.SceneText;
import io.tpostream.trainer.eval.SceneWorld;
import io.tpostream.trainer.eval.Seeds;

import java.util.List;
import java.util.SplittableRandom;

/**
 * Supervised examples from the scene world: captions and yes/no questions, half about present objects and half
 * about absent ones. With the training world's co-occurrence bias, this is what teaches the base model the usual
 * partners well enough to hallucinate them.
 */
public final class PretrainingData {

    /** Stream id for the choices made per example, apart from the world's own streams. */
    private static final long EXAMPLE_STREAM = 11;

    private final SceneWorld world;
    private final long seed;
    private final double captionShare;

    public PretrainingData(SceneWorld world, long seed, double captionShare) {
        if (captionShare < 0 || captionShare > 1) {
            throw new IllegalArgumentException("caption share must be in [0, 1], was " + captionShare);
        }
        this.world = world;
        this.seed = seed;
        this.captionShare = captionShare;
    }

    /** Example {@code index}: the same for the same seed, whatever else was drawn before. */
    public Example example(long index) {
        Scene scene = world.scene(seed, index);
        SplittableRandom rng = Seeds.random(seed, index, EXAMPLE_STREAM);
        if (rng.nextDouble() < captionShare) {
            return new Example(world.render(scene), SceneText.CAPTION_PROMPT, SceneText.caption(scene));
        }
        List<ObjectKind> pool = rng.nextBoolean() ? scene.kinds() : scene.absentKinds();
        ObjectKind asked = pool.get(rng.nextInt(pool.size()));
        return new Example(world.render(scene), SceneText.question(asked), SceneText.answer(scene, asked));
    }

    public List<Example> batch(long firstIndex, int size) {
        return java.util.stream.LongStream.range(firstIndex, firstIndex + size).mapToObj(this::example).toList();
    }
}
