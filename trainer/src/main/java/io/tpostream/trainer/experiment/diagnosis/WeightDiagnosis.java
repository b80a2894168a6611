package io.tpostream.trainer.experiment.diagnosis;

import io.tpostream.trainer.eval.SceneText;
import io.tpostream.trainer.experiment.regime.ScenePair;
import io.tpostream.trainer.model.ModelInstance;
import io.tpostream.trainer.tpo.ImageCorruption;
import io.tpostream.trainer.tpo.ImageCorruptor;
import io.tpostream.trainer.training.TokenScorer;
import io.tpostream.trainer.training.TrainingPair;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Measures {@link WeightPlacement} of a model on the caption pairs of a set (yes/no answers are left out). */
public final class WeightDiagnosis {

    private static final int PAIRS_PER_CALL = 32;

    private WeightDiagnosis() {
    }

    public static Map<String, Double> measure(ModelInstance model, List<ScenePair> pairs, ImageCorruption corruption,
                                              double offset, String suffix) {
        TokenScorer scorer = new TokenScorer(model, new ImageCorruptor(corruption));
        WeightPlacement placement = new WeightPlacement(offset);
        List<ScenePair> captions = pairs.stream().filter(p -> p.prompt().equals(SceneText.CAPTION_PROMPT)).toList();
        for (int from = 0; from < captions.size(); from += PAIRS_PER_CALL) {
            List<ScenePair> batch = captions.subList(from, Math.min(captions.size(), from + PAIRS_PER_CALL));
            List<TokenScorer.Request> requests = new ArrayList<>();
            for (ScenePair p : batch) {
                TrainingPair t = p.toTrainingPair();
                requests.add(new TokenScorer.Request(p.image(), p.prompt(), p.chosen(), t.pairId()));
                requests.add(new TokenScorer.Request(p.image(), p.prompt(), p.rejected(), t.pairId()));
            }
            List<TokenScorer.Scored> scored = scorer.score(requests);
            for (int i = 0; i < batch.size(); i++) {
                placement.add(scored.get(2 * i).tokens(), scored.get(2 * i).scores(), batch.get(i).scene(), true);
                placement.add(scored.get(2 * i + 1).tokens(), scored.get(2 * i + 1).scores(), batch.get(i).scene(),
                        false);
            }
        }
        Map<String, Double> values = new java.util.LinkedHashMap<>(placement.values(suffix));
        values.put("pairs", (double) captions.size());
        return values;
    }
}
