package io.tpostream.trainer.experiment.regime;

import io.tpostream.trainer.eval.CooccurrenceBias;
import io.tpostream.trainer.eval.ObjectKind;
import io.tpostream.trainer.eval.Scene;
import io.tpostream.trainer.eval.SceneText;
import io.tpostream.trainer.eval.SceneWorld;
import io.tpostream.trainer.eval.Seeds;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;

/**
 * Yes/no answer pairs, as a user correcting an answer would give: about an absent usual partner ("no" chosen over
 * "yes", half of the time when the scene has one) or a present object ("yes" over "no").
 */
public final class QuestionPairs {

    private QuestionPairs() {
    }

    public static List<ScenePair> generate(SceneWorld world, long seed, int n, long stream) {
        List<ScenePair> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            Scene scene = world.scene(seed, i);
            SplittableRandom rng = Seeds.random(seed, i, stream);
            Optional<ObjectKind> partner = scene.kinds().stream().map(CooccurrenceBias::partnerOf)
                    .flatMap(Optional::stream).filter(k -> !scene.contains(k)).findFirst();
            boolean askAbsent = partner.isPresent() && rng.nextBoolean();
            ObjectKind asked = askAbsent ? partner.get() : scene.kinds().get(rng.nextInt(scene.kinds().size()));
            String right = askAbsent ? SceneText.NO : SceneText.YES;
            String wrong = askAbsent ? SceneText.YES : SceneText.NO;
            out.add(new ScenePair(scene, world.render(scene), SceneText.question(asked), right, wrong));
        }
        return out;
    }
}
