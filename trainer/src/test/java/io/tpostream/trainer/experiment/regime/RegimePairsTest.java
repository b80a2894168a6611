package io.tpostream.trainer.experiment.regime;

import io.tpostream.trainer.eval.ChairMetric;
import io.tpostream.trainer.eval.SceneText;
import io.tpostream.trainer.eval.SceneWorld;
import io.tpostream.trainer.model.ModelInstance;
import io.tpostream.trainer.model.TestModels;
import org.junit.jupiter.api.Test;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every regime gives exactly n pairs, the same answer pairs, and the noisy regime is on-policy with flips. */
class RegimePairsTest {

    private static final int N = 24;

    @Test
    void everyRegimeHasTheSameCountAndTheSameAnswerPairs() {
        RegimeSettings settings = RegimeSettings.defaults(0.5);
        try (ModelInstance model = TestModels.sceneMicroModel(4)) {
            SceneWorld world = SceneWorld.of(io.tpostream.trainer.eval.BiasMode.NONE,
                    model.config().vision().imageSize());
            Map<PairRegime, List<ScenePair>> all = new EnumMap<>(PairRegime.class);
            for (PairRegime regime : PairRegime.values()) {
                all.put(regime, RegimePairs.build(regime, model, world, 9, 0, N, settings));
            }
            List<ScenePair> answers = questions(all.get(PairRegime.MINIMAL));
            assertEquals(RegimePairs.questionCount(N, 0.5), answers.size());
            all.forEach((regime, pairs) -> {
                assertEquals(N, pairs.size(), regime.configName());
                if (regime != PairRegime.NOISY) {
                    assertEquals(answers, questions(pairs), regime + " has the same answer pairs");
                }
            });

            List<ScenePair> onPolicy = all.get(PairRegime.ON_POLICY);
            List<ScenePair> noisy = all.get(PairRegime.NOISY);
            int flipped = 0;
            for (int i = 0; i < N; i++) {
                if (!onPolicy.get(i).equals(noisy.get(i))) {
                    assertEquals(onPolicy.get(i).flipped(), noisy.get(i));
                    flipped++;
                }
            }
            assertEquals(PreferenceFlips.flippedCount(N, settings.flipShare()), flipped);

            for (ScenePair p : onPolicy) {
                if (p.prompt().equals(SceneText.CAPTION_PROMPT)) {
                    SampleRanking.Ranked chosen = SampleRanking.rank(p.chosen(), p.scene());
                    SampleRanking.Ranked rejected = SampleRanking.rank(p.rejected(), p.scene());
                    assertTrue(SampleRanking.BETTER_FIRST.compare(chosen, rejected) < 0, p.toString());
                }
            }
            assertNotEquals(onPolicy, RegimePairs.build(PairRegime.ON_POLICY, model, world, 9, 1, N, settings),
                    "each round samples fresh scenes");
        }
    }

    @Test
    void minimalCaptionPairsDifferOnlyInTheEditedMentions() {
        try (ModelInstance model = TestModels.sceneMicroModel(4)) {
            SceneWorld world = SceneWorld.of(io.tpostream.trainer.eval.BiasMode.NONE,
                    model.config().vision().imageSize());
            for (ScenePair p : RegimePairs.build(PairRegime.MINIMAL, model, world, 9, 0, N, RegimeSettings.defaults(0.25))) {
                if (p.prompt().equals(SceneText.CAPTION_PROMPT)) {
                    ChairMetric.CaptionScore chosen = ChairMetric.score(p.chosen(), p.scene());
                    assertTrue(!chosen.hallucinates(), "chosen is correct: " + p.chosen());
                }
            }
        }
    }

    private static List<ScenePair> questions(List<ScenePair> pairs) {
        return pairs.stream().filter(p -> !p.prompt().equals(SceneText.CAPTION_PROMPT)).toList();
    }
}
