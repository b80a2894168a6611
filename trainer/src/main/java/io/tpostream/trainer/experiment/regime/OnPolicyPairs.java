package io.tpostream.trainer.experiment.regime;

import io.tpostream.trainer.eval.Scene;
import io.tpostream.trainer.eval.SceneText;
import io.tpostream.trainer.eval.SceneWorld;
import io.tpostream.trainer.eval.Seeds;
import io.tpostream.trainer.image.RgbImage;
import io.tpostream.trainer.model.CaptionGenerator;
import io.tpostream.trainer.model.ModelInstance;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Ratings of the policy's own captions: for fresh scenes, {@code samples} captions drawn from the policy at a
 * temperature above 0, ranked by {@link SampleRanking}, best against worst; scenes whose samples tie give no pair,
 * and scenes are drawn until there are exactly as many pairs as wanted. Blank samples are left out (a serving
 * application shows no empty caption to rate).
 */
public final class OnPolicyPairs {

    private static final long STREAM = 43;
    private static final int SCENES_PER_CALL = 32;
    private static final int MAX_NEW_TOKENS = 24;
    /** Give up rather than loop for ever on a policy whose samples always tie (e.g. a collapsed one). */
    private static final int MAX_SCENES_PER_PAIR = 40;

    private OnPolicyPairs() {
    }

    /**
     * @param round which draw of the study this is (0 with the base, one per epoch after): fresh scenes each time
     */
    public static List<ScenePair> sample(ModelInstance policy, SceneWorld world, long seed, int round, int wanted,
                                         int samples, double temperature) {
        if (samples < 2 || !(temperature > 0)) {
            throw new IllegalArgumentException("on-policy pairs need at least 2 samples at a temperature above 0, got "
                    + samples + " at " + temperature);
        }
        long sceneSeed = Seeds.derive(seed, round, STREAM);
        CaptionGenerator captioner = new CaptionGenerator(policy, MAX_NEW_TOKENS);
        List<ScenePair> out = new ArrayList<>(wanted);
        for (int next = 0; out.size() < wanted; next += SCENES_PER_CALL) {
            if (next >= MAX_SCENES_PER_PAIR * Math.max(1, wanted)) {
                throw new IllegalStateException("only " + out.size() + " of " + wanted + " on-policy pairs from " + next
                        + " scenes: the policy's " + samples + " samples per scene almost always tie; raise the"
                        + " temperature or the number of samples");
            }
            List<Scene> scenes = new ArrayList<>();
            List<RgbImage> images = new ArrayList<>();
            List<RgbImage> repeated = new ArrayList<>();
            for (int i = next; i < next + SCENES_PER_CALL; i++) {
                Scene scene = world.scene(sceneSeed, i);
                RgbImage image = world.render(scene);
                scenes.add(scene);
                images.add(image);
                for (int k = 0; k < samples; k++) {
                    repeated.add(image);
                }
            }
            List<CaptionGenerator.Generation> drawn = captioner.generate(repeated, SceneText.CAPTION_PROMPT,
                    temperature, Seeds.derive(sceneSeed, next, STREAM));
            for (int s = 0; s < scenes.size() && out.size() < wanted; s++) {
                List<String> texts = drawn.subList(s * samples, (s + 1) * samples).stream()
                        .map(CaptionGenerator.Generation::text).filter(t -> !t.isBlank()).toList();
                Optional<SampleRanking.Preference> preference = SampleRanking.bestAgainstWorst(texts, scenes.get(s));
                if (preference.isPresent()) {
                    out.add(new ScenePair(scenes.get(s), images.get(s), SceneText.CAPTION_PROMPT,
                            preference.get().chosen().caption(), preference.get().rejected().caption()));
                }
            }
        }
        return out;
    }
}
