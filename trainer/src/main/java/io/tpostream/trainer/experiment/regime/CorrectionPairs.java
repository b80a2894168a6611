package io.tpostream.trainer.experiment.regime;

import io.tpostream.trainer.eval.ChairMetric;
import io.tpostream.trainer.eval.Scene;
import io.tpostream.trainer.eval.SceneText;
import io.tpostream.trainer.eval.SceneWorld;
import io.tpostream.trainer.eval.Seeds;
import io.tpostream.trainer.image.RgbImage;
import io.tpostream.trainer.model.CaptionGenerator;
import io.tpostream.trainer.model.ModelInstance;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A model's own greedy caption of each fresh scene and a user's minimal edit of it: when the caption hallucinates,
 * the correction (wrong mentions dropped, missed objects appended) is chosen over it; when it does not, it is chosen
 * over the same caption with a hallucinated object added. Chosen and rejected differ in the edited words only.
 */
public final class CorrectionPairs {

    private static final int CAPTIONS_PER_CALL = 64;
    private static final int MAX_NEW_TOKENS = 24;

    private CorrectionPairs() {
    }

    public static List<ScenePair> generate(ModelInstance model, SceneWorld world, long seed, int n, long stream) {
        List<Scene> scenes = new ArrayList<>();
        List<RgbImage> images = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Scene s = world.scene(seed, i);
            scenes.add(s);
            images.add(world.render(s));
        }
        CaptionGenerator captioner = new CaptionGenerator(model, MAX_NEW_TOKENS);
        List<ScenePair> out = new ArrayList<>(n);
        for (int from = 0; from < n; from += CAPTIONS_PER_CALL) {
            int to = Math.min(n, from + CAPTIONS_PER_CALL);
            List<CaptionGenerator.Generation> captions = captioner.generate(images.subList(from, to),
                    SceneText.CAPTION_PROMPT, 0, 0);
            for (int i = from; i < to; i++) {
                String caption = captions.get(i - from).text();
                Scene scene = scenes.get(i);
                SplittableRandom rng = Seeds.random(seed, i, stream);
                boolean wrong = ChairMetric.score(caption, scene).hallucinates();
                String chosen = wrong ? SceneText.correct(caption, scene) : caption;
                String rejected = wrong ? caption : SceneText.hallucinate(scene, rng);
                if (!chosen.equals(rejected)) {
                    out.add(new ScenePair(scene, images.get(i), SceneText.CAPTION_PROMPT, chosen, rejected));
                }
            }
        }
        return out;
    }
}
