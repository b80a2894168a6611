package io.tpostream.trainer.experiment.regime;

import io.tpostream.trainer.eval.CaptionOpening;
import io.tpostream.trainer.eval.ObjectKind;
import io.tpostream.trainer.eval.Scene;
import io.tpostream.trainer.eval.SceneText;
import io.tpostream.trainer.eval.SceneWorld;
import io.tpostream.trainer.eval.Seeds;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Pairs whose two captions say different things in different words: the chosen caption names every object of the
 * scene, in a shuffled order, after one opening; the rejected caption adds a hallucinated object (usually a present
 * object's partner) or miscolours one, in its own shuffled order, after another opening. Because the openings
 * differ in length, the two captions share few token positions, so a sequence-level objective cannot tell from
 * position alone which words made the difference.
 */
public final class RephrasedPairs {

    private static final long STREAM = 41;

    private RephrasedPairs() {
    }

    public static List<ScenePair> generate(SceneWorld world, long seed, int n, double wrongAttributeRate) {
        List<ScenePair> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(pair(world, seed, i, wrongAttributeRate));
        }
        return out;
    }

    public static ScenePair pair(SceneWorld world, long seed, long index, double wrongAttributeRate) {
        Scene scene = world.scene(seed, index);
        SplittableRandom rng = Seeds.random(seed, index, STREAM);
        List<ObjectKind> wrong = rng.nextDouble() < wrongAttributeRate
                ? SceneText.wrongAttributeMentions(scene, rng) : SceneText.hallucinatedMentions(scene, rng);
        CaptionOpening[] openings = CaptionOpening.values();
        CaptionOpening chosenOpening = openings[rng.nextInt(openings.length)];
        CaptionOpening rejectedOpening = openings[(chosenOpening.ordinal() + 1 + rng.nextInt(openings.length - 1))
                % openings.length];
        String chosen = chosenOpening.write(Seeds.shuffled(scene.kinds(), rng));
        String rejected = rejectedOpening.write(Seeds.shuffled(wrong, rng));
        return new ScenePair(scene, world.render(scene), SceneText.CAPTION_PROMPT, chosen, rejected);
    }
}
