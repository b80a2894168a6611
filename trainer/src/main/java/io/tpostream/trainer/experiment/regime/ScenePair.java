package io.tpostream.trainer.experiment.regime;

import io.tpostream.schema.Sha256;
import io.tpostream.trainer.eval.Scene;
import io.tpostream.trainer.image.RgbImage;
import io.tpostream.trainer.training.TrainingPair;

/**
 * A preference pair together with the scene it is about: the trainer sees only {@link #toTrainingPair()}, the
 * study keeps the scene to tell, token by token, which words were true, which hallucinated and which carried no
 * visual content at all.
 */
public record ScenePair(Scene scene, RgbImage image, String prompt, String chosen, String rejected) {

    public ScenePair {
        if (chosen.equals(rejected)) {
            throw new IllegalArgumentException("a preference needs two different responses: '" + chosen + "'");
        }
    }

    /** The same two responses with the preference the other way round (a rater's mistake). */
    public ScenePair flipped() {
        return new ScenePair(scene, image, prompt, rejected, chosen);
    }

    /** What the trainer consumes; the id is the one the streams app would give the same pair. */
    public TrainingPair toTrainingPair() {
        return new TrainingPair(Sha256.pairId(image.pngSha256(), prompt, chosen, rejected), image, prompt, chosen,
                rejected);
    }
}
