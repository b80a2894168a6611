package io.tpostream.trainer.experiment.regime;

import io.tpostream.trainer.eval.Colour;
import io.tpostream.trainer.eval.ObjectKind;
import io.tpostream.trainer.eval.Scene;
import io.tpostream.trainer.eval.SceneWorld;
import io.tpostream.trainer.eval.Shape;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SampleRankingTest {

    /** A scene with at least two objects, from the unbiased world. */
    private static final Scene SCENE = scene();

    private static Scene scene() {
        SceneWorld world = SceneWorld.unbiased();
        for (int i = 0; ; i++) {
            Scene s = world.scene(11, i);
            if (s.kinds().size() >= 2) {
                return s;
            }
        }
    }

    private static String absent(int i) {
        return phrase(SCENE.absentKinds().get(i));
    }

    private static String present(int i) {
        return phrase(SCENE.kinds().get(i));
    }

    private static String phrase(ObjectKind k) {
        return "a " + k.phrase();
    }

    @Test
    void fewerHallucinationsWinEvenOverMoreCoverage() {
        String oneWrongTwoRight = present(0) + " and " + present(1) + " and " + absent(0) + " .";
        String twoWrong = present(0) + " and " + absent(0) + " and " + absent(1) + " .";
        String noneWrongOneRight = present(0) + " .";
        SampleRanking.Preference p = SampleRanking.bestAgainstWorst(
                List.of(oneWrongTwoRight, twoWrong, noneWrongOneRight), SCENE).orElseThrow();
        assertEquals(noneWrongOneRight, p.chosen().caption());
        assertEquals(twoWrong, p.rejected().caption());
    }

    @Test
    void coverageBreaksTiesInHallucinationAndBothSidesMayHallucinate() {
        String wrongAndOne = present(0) + " and " + absent(0) + " .";
        String wrongAndTwo = present(0) + " , " + present(1) + " and " + absent(0) + " .";
        SampleRanking.Preference p = SampleRanking.bestAgainstWorst(List.of(wrongAndOne, wrongAndTwo), SCENE)
                .orElseThrow();
        assertEquals(wrongAndTwo, p.chosen().caption());
        assertEquals(1, p.chosen().hallucinated());
        assertEquals(1, p.rejected().hallucinated());
        assertTrue(p.chosen().covered() > p.rejected().covered());
    }

    @Test
    void samplesThatRankEqualGiveNoPair() {
        String a = present(0) + " .";
        String b = "there is " + present(0) + " .";
        assertEquals(Optional.empty(), SampleRanking.bestAgainstWorst(List.of(a, b, a), SCENE));
        assertEquals(Optional.empty(), SampleRanking.bestAgainstWorst(List.of(a), SCENE));
    }

    @Test
    void rankCountsEveryHallucinatedMentionAndDistinctTrueObjects() {
        ObjectKind wrong = ObjectKind.of(Colour.values()[0], Shape.values()[0]);
        Scene scene = SCENE.contains(wrong) ? null : SCENE;
        if (scene != null) {
            SampleRanking.Ranked r = SampleRanking.rank(present(0) + " , " + present(0) + " and " + phrase(wrong)
                    + " and " + phrase(wrong) + " .", scene);
            assertEquals(2, r.hallucinated());
            assertEquals(1, r.covered());
        }
    }
}
