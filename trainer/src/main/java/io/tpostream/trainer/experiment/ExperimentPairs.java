package io.tpostream.trainer.experiment;

import io.tpostream.schema.Sha256;
import io.tpostream.trainer.eval.ChairMetric;
import io.tpostream.trainer.eval.Scene;
import io.tpostream.trainer.eval.SceneText;
import io.tpostream.trainer.eval.SceneWorld;
import io.tpostream.trainer.eval.Seeds;
import io.tpostream.trainer.eval.SyntheticPair;
import io.tpostream.trainer.eval.SyntheticPairs;
import io.tpostream.trainer.image.RgbImage;
import io.tpostream.trainer.model.CaptionGenerator;
import io.tpostream.trainer.model.ModelInstance;
import io.tpostream.trainer.training.TrainingPair;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The pairs of an offline experiment: half synthetic (true caption vs the same caption with a co-occurring
 * object hallucinated or an attribute swapped), half on-policy (the base model's own caption of a fresh scene:
 * when it hallucinates, the user's correction is chosen and the caption rejected; when it does not, the caption is
 * chosen and a hallucinated variant rejected). A share of the synthetic pairs can be yes/no answers instead, as a
 * user correcting an answer would give: about an absent usual partner ("no" chosen over "yes") or a present
 * object ("yes" over "no").
 */
public final class ExperimentPairs {

    private static final long ON_POLICY_STREAM = 21;
    private static final long QUESTION_STREAM = 22;

    private ExperimentPairs() {
    }

    public static List<TrainingPair> build(ModelInstance base, SceneWorld world, long seed, int n, double questionShare) {
        int synthetic = n / 2;
        int questions = (int) Math.round(synthetic * questionShare);
        List<TrainingPair> out = new ArrayList<>(n);
        for (SyntheticPair p : SyntheticPairs.generate(world, seed, synthetic - questions)) {
            out.add(pair(p.image(), p.prompt(), p.chosen(), p.rejected()));
        }
        long questionSeed = Seeds.derive(seed, 0, QUESTION_STREAM);
        for (int i = 0; i < questions; i++) {
            Scene scene = world.scene(questionSeed, i);
            SplittableRandom rng = Seeds.random(questionSeed, i, QUESTION_STREAM);
            java.util.Optional<io.tpostream.trainer.eval.ObjectKind> partner = scene.kinds().stream()
                    .map(io.tpostream.trainer.eval.CooccurrenceBias::partnerOf).flatMap(java.util.Optional::stream)
                    .filter(k -> !scene.contains(k)).findFirst();
            boolean askAbsent = partner.isPresent() && rng.nextBoolean();
            io.tpostream.trainer.eval.ObjectKind asked = askAbsent ? partner.get()
                    : scene.kinds().get(rng.nextInt(scene.kinds().size()));
            String right = askAbsent ? SceneText.NO : SceneText.YES;
            String wrong = askAbsent ? SceneText.YES : SceneText.NO;
            out.add(pair(world.render(scene), SceneText.question(asked), right, wrong));
        }
        int onPolicy = n - synthetic;
        long sceneSeed = Seeds.derive(seed, 0, ON_POLICY_STREAM);
        List<Scene> scenes = new ArrayList<>();
        List<RgbImage> images = new ArrayList<>();
        for (int i = 0; i < onPolicy; i++) {
            Scene s = world.scene(sceneSeed, i);
            scenes.add(s);
            images.add(world.render(s));
        }
        CaptionGenerator captioner = new CaptionGenerator(base, 24);
        for (int from = 0; from < onPolicy; from += 64) {
            int to = Math.min(onPolicy, from + 64);
            List<CaptionGenerator.Generation> captions = captioner.generate(images.subList(from, to),
                    SceneText.CAPTION_PROMPT, 0, 0);
            for (int i = from; i < to; i++) {
                String caption = captions.get(i - from).text();
                Scene scene = scenes.get(i);
                SplittableRandom rng = Seeds.random(sceneSeed, i, ON_POLICY_STREAM);
                boolean wrong = ChairMetric.score(caption, scene).hallucinates();
                String chosen = wrong ? SceneText.correct(caption, scene) : caption;
                String rejected = wrong ? caption : SceneText.hallucinate(scene, rng);
                if (!chosen.equals(rejected)) {
                    out.add(pair(images.get(i), SceneText.CAPTION_PROMPT, chosen, rejected));
                }
            }
        }
        return out;
    }

    private static TrainingPair pair(RgbImage image, String prompt, String chosen, String rejected) {
        return new TrainingPair(Sha256.pairId(image.pngSha256(), prompt, chosen, rejected), image, prompt, chosen,
                rejected);
    }
}
