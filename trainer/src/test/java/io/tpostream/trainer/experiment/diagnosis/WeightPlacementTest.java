package io.tpostream.trainer.experiment.diagnosis;

import io.tpostream.trainer.eval.Scene;
import io.tpostream.trainer.eval.SceneWorld;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

class WeightPlacementTest {

    private static final Scene SCENE = SceneWorld.unbiased().scene(4, 0);

    private static List<String> tokens(String text) {
        List<String> out = new ArrayList<>(Arrays.asList(text.split(" ")));
        out.add("<eos>");
        return out;
    }

    private static String present() {
        return SCENE.kinds().get(0).phrase();
    }

    private static String absent() {
        return SCENE.absentKinds().get(0).phrase();
    }

    @Test
    void mentionWordsAreTrueOrHallucinatedAndEverythingElseIsOther() {
        List<String> t = tokens("there is a " + present() + " and a " + absent() + " .");
        TokenGroup T = TokenGroup.TRUE_MENTION;
        TokenGroup H = TokenGroup.HALLUCINATED_MENTION;
        TokenGroup O = TokenGroup.OTHER;
        assertArrayEquals(new TokenGroup[] {O, O, O, T, T, O, O, H, H, O, O}, TokenGroup.of(t, SCENE));
    }

    @Test
    void weightsFollowTheSideAndTheScore() {
        List<String> t = tokens("a " + present() + " .");
        float[] chosenScores = {0f, 50f, 50f, 0f, 0f};
        WeightPlacement p = new WeightPlacement(0.5);
        p.add(t, chosenScores, SCENE, true);
        p.add(tokens("a " + absent() + " ."), new float[] {0f, -50f, -50f, 0f, 0f}, SCENE, false);
        Map<String, Double> v = p.values("_x");
        assertEquals(1.5, v.get("chosen/true/c_x"), 1e-9, "a chosen word the image supports gets the top weight");
        assertEquals(1.0, v.get("chosen/other/c_x"), 1e-9, "s = 0 gives the neutral weight 1");
        assertEquals(1.5, v.get("rejected/hallucinated/c_x"), 1e-9, "a rejected word the image contradicts too");
        assertEquals(-50, v.get("rejected/hallucinated/s_x"), 1e-9);
        assertEquals(2.0, v.get("chosen/true/n_x"));
        assertEquals(3.0, v.get("rejected/other/n_x"));
        assertFalse(v.containsKey("chosen/hallucinated/c_x"), "no such tokens, no entry");
    }
}
