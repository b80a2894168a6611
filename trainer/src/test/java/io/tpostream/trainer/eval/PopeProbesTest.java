package io.tpostream.trainer.eval;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.List;
import java.util.SplittableRandom;

import static io.tpostream.trainer.eval.SceneTestData.kind;
import static io.tpostream.trainer.eval.SceneTestData.scene;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PopeProbesTest {

    private static final List<ObjectKind> POPULARITY = SceneWorld.training().popularity();

    @Test
    void eachSplitAsksAboutEveryPresentKindAndAsManyAbsentOnes() {
        Scene s = scene("red circle", "green triangle", "purple square");
        List<PopeProbe> probes = PopeProbes.forScene(s, "images/00000.png", POPULARITY, new SplittableRandom(1));
        for (PopeSplit split : PopeSplit.values()) {
            List<PopeProbe> ofSplit = probes.stream().filter(p -> p.split() == split).toList();
            assertEquals(6, ofSplit.size());
            assertEquals(s.kinds(), ofSplit.stream().filter(PopeProbe::labelYes).map(PopeProbe::object).toList());
            List<ObjectKind> negatives = ofSplit.stream().filter(p -> !p.labelYes()).map(PopeProbe::object).toList();
            assertEquals(3, new HashSet<>(negatives).size());
            negatives.forEach(k -> assertFalse(s.contains(k), split + " asks 'no' about present " + k));
        }
    }

    @Test
    void adversarialAsksAboutAbsentPartnersThenPopularKinds() {
        // partners: red circle -> blue square (absent), green triangle -> yellow cross (absent); purple square none
        Scene s = scene("red circle", "green triangle", "purple square");
        List<ObjectKind> adversarial = PopeProbes.negatives(s, PopeSplit.ADVERSARIAL, POPULARITY, new SplittableRandom(1));
        assertEquals(kind("blue square"), adversarial.get(0));
        assertEquals(kind("yellow cross"), adversarial.get(1));
        ObjectKind mostPopularOther = POPULARITY.stream()
                .filter(k -> !s.contains(k) && !adversarial.subList(0, 2).contains(k)).findFirst().orElseThrow();
        assertEquals(mostPopularOther, adversarial.get(2));
    }

    @Test
    void popularAsksAboutTheHighestRankedAbsentKinds() {
        Scene s = scene(POPULARITY.get(0).phrase(), POPULARITY.get(2).phrase());
        assertEquals(List.of(POPULARITY.get(1), POPULARITY.get(3)),
                PopeProbes.negatives(s, PopeSplit.POPULAR, POPULARITY, new SplittableRandom(1)));
    }

    @Test
    void randomNegativesCoverTheAbsentKindsUniformly() {
        Scene s = scene("red circle");
        int[] counts = new int[ObjectKind.COUNT];
        SplittableRandom rng = new SplittableRandom(4);
        int draws = 23_000;
        for (int i = 0; i < draws; i++) {
            counts[PopeProbes.negatives(s, PopeSplit.RANDOM, POPULARITY, rng).get(0).index()]++;
        }
        assertEquals(0, counts[kind("red circle").index()]);
        for (ObjectKind k : s.absentKinds()) {
            // expected 1000 each; 5 standard deviations is about 155
            assertTrue(Math.abs(counts[k.index()] - 1000) < 160, k + ": " + counts[k.index()]);
        }
    }
}
