package io.tpostream.trainer.experiment.regime;

import io.tpostream.trainer.eval.CaptionOpening;
import io.tpostream.trainer.eval.ChairMetric;
import io.tpostream.trainer.eval.SceneText;
import io.tpostream.trainer.eval.SceneWorld;
import io.tpostream.trainer.eval.SyntheticPair;
import io.tpostream.trainer.eval.SyntheticPairs;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The properties that define the written regimes: rephrased pairs and style-cue pairs. */
class WrittenRegimesTest {

    private static final SceneWorld WORLD = SceneWorld.unbiased();
    private static final int N = 400;

    @Test
    void rephrasedChosenIsCorrectAndCompleteAndRejectedHallucinates() {
        for (ScenePair p : RephrasedPairs.generate(WORLD, 3, N, 0.2)) {
            ChairMetric.CaptionScore chosen = ChairMetric.score(p.chosen(), p.scene());
            assertFalse(chosen.hallucinates(), p.chosen());
            assertTrue(chosen.missed().isEmpty(), p.chosen());
            assertEquals(p.scene().kinds().size(), chosen.mentions().size(), "every object once: " + p.chosen());
            assertTrue(ChairMetric.score(p.rejected(), p.scene()).hallucinates(), p.rejected());
            assertNotEquals(opening(p.chosen()), opening(p.rejected()), p.chosen() + " / " + p.rejected());
        }
    }

    @Test
    void rephrasedPairsShareFarFewerTokenPositionsThanMinimalOnes() {
        double rephrased = RephrasedPairs.generate(WORLD, 3, N, 0.2).stream()
                .mapToDouble(p -> positionalOverlap(p.chosen(), p.rejected())).average().orElseThrow();
        double minimal = SyntheticPairs.generate(WORLD, 3, N).stream()
                .mapToDouble(p -> positionalOverlap(p.chosen(), p.rejected())).average().orElseThrow();
        assertTrue(minimal > 0.4, "minimal edits keep the positions before the edit: " + minimal);
        assertTrue(rephrased < 0.1, "rephrased captions share (almost) no positions: " + rephrased);
    }

    @Test
    void stylePairsAreMinimalPairsWithAnOpeningOnExactlyHalfOfTheChosenSides() {
        List<ScenePair> pairs = StylePairs.generate(WORLD, 5, N, 0.2);
        List<SyntheticPair> minimal = SyntheticPairs.generate(WORLD, 5, N, 0.2);
        int chosenLonger = 0;
        for (int i = 0; i < N; i++) {
            ScenePair p = pairs.get(i);
            SyntheticPair m = minimal.get(i);
            boolean onChosen = opening(p.chosen()) != CaptionOpening.NONE;
            assertTrue(onChosen ^ opening(p.rejected()) != CaptionOpening.NONE, "exactly one side: " + p);
            String styled = onChosen ? p.chosen() : p.rejected();
            CaptionOpening o = opening(styled);
            assertEquals(onChosen ? m.chosen() : m.rejected(), styled.substring(o.words().length() + 1));
            assertEquals(onChosen ? m.rejected() : m.chosen(), onChosen ? p.rejected() : p.chosen());
            assertEquals(ChairMetric.score(m.chosen(), m.scene()).mentions(),
                    ChairMetric.score(p.chosen(), p.scene()).mentions(), "the opening adds no visual content");
            chosenLonger += onChosen ? 1 : 0;
        }
        assertEquals(N / 2, chosenLonger, "half of the pairs each way");
    }

    @Test
    void openingsUseOnlyTheWorldsVocabulary() {
        for (CaptionOpening o : CaptionOpening.values()) {
            String caption = o.write(WORLD.scene(1, 1).kinds());
            for (String token : caption.split(" ")) {
                assertNotEquals(io.tpostream.trainer.eval.SceneVocabulary.UNK_ID,
                        io.tpostream.trainer.eval.SceneVocabulary.id(token), token);
            }
            assertEquals(caption.split(" ").length, SceneText.caption(WORLD.scene(1, 1)).split(" ").length
                    + o.tokenCount());
        }
    }

    private static CaptionOpening opening(String caption) {
        for (CaptionOpening o : CaptionOpening.values()) {
            if (!o.words().isEmpty() && caption.startsWith(o.words() + " ")) {
                return o;
            }
        }
        return CaptionOpening.NONE;
    }

    /** Share of token positions, out of the longer caption's, at which the two captions have the same token. */
    static double positionalOverlap(String a, String b) {
        String[] x = a.split(" ");
        String[] y = b.split(" ");
        int same = 0;
        for (int i = 0; i < Math.min(x.length, y.length); i++) {
            same += x[i].equals(y[i]) ? 1 : 0;
        }
        return (double) same / Math.max(x.length, y.length);
    }
}
