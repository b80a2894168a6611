package io.tpostream.trainer.eval;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static io.tpostream.trainer.eval.SceneTestData.kind;
import static io.tpostream.trainer.eval.SceneTestData.scene;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SceneTextTest {

    @Test
    void captionsListObjectsInSlotOrder() {
        assertEquals("a red circle .", SceneText.caption(scene("red circle")));
        assertEquals("a red circle and a blue square .", SceneText.caption(scene("red circle", "blue square")));
        assertEquals("a red circle , a blue square and a green cross .",
                SceneText.caption(scene("red circle", "blue square", "green cross")));
        assertEquals("a yellow triangle , a red circle , an orange square and a purple cross .",
                SceneText.caption(scene("yellow triangle", "red circle", "orange square", "purple cross")));
        assertThrows(IllegalArgumentException.class, () -> SceneText.caption(List.of()));
    }

    @Test
    void sceneSortsObjectsBySlotWhateverOrderTheyCameIn() {
        Scene s = new Scene(32, List.of(SceneObject.centred(kind("green cross"), Slot.BOTTOM_RIGHT),
                SceneObject.centred(kind("red circle"), Slot.TOP_LEFT)), 0);
        assertEquals("a red circle and a green cross .", SceneText.caption(s));
    }

    @Test
    void questionsAndAnswers() {
        Scene s = scene("red circle", "orange cross");
        assertEquals("is there a red circle ?", SceneText.question(kind("red circle")));
        assertEquals("is there an orange cross ?", SceneText.question(kind("orange cross")));
        assertEquals("yes", SceneText.answer(s, kind("orange cross")));
        assertEquals("no", SceneText.answer(s, kind("blue square")));
        assertEquals("describe the image .", SceneText.CAPTION_PROMPT);
    }

    @Test
    void hallucinationAddsTheAbsentPartnerRightAfterItsAnchor() {
        // red circle's partner (blue square) is absent; green cross has no partner
        Scene s = scene("red circle", "green cross");
        for (long seed = 0; seed < 20; seed++) {
            assertEquals("a red circle , a blue square and a green cross .",
                    SceneText.hallucinate(s, new SplittableRandom(seed)));
        }
    }

    @Test
    void withoutAnAbsentPartnerHallucinationAddsSomeAbsentKind() {
        Scene s = scene("red circle", "blue square", "red square");
        for (long seed = 0; seed < 50; seed++) {
            List<ObjectKind> mentions = CaptionParser.objects(SceneText.hallucinate(s, new SplittableRandom(seed)));
            List<ObjectKind> extra = new ArrayList<>(mentions);
            extra.removeAll(s.kinds());
            assertEquals(1, extra.size(), mentions.toString());
            assertFalse(s.contains(extra.get(0)));
            List<ObjectKind> rest = new ArrayList<>(mentions);
            rest.remove(extra.get(0));
            assertEquals(s.kinds(), rest, "the true objects keep their order");
        }
    }

    @Test
    void wrongAttributeRecoloursExactlyOneObjectIntoAnAbsentKind() {
        Scene s = scene("red circle", "green circle", "blue circle", "yellow circle");
        for (long seed = 0; seed < 50; seed++) {
            List<ObjectKind> mentions = CaptionParser.objects(SceneText.withWrongAttribute(s, new SplittableRandom(seed)));
            assertEquals(4, mentions.size());
            int changed = 0;
            for (int i = 0; i < 4; i++) {
                ObjectKind was = s.kinds().get(i);
                ObjectKind now = mentions.get(i);
                assertEquals(was.shape(), now.shape());
                if (!was.equals(now)) {
                    changed++;
                    assertFalse(s.contains(now), now + " is in the scene");
                }
            }
            assertEquals(1, changed);
        }
    }

    @Test
    void correctionDropsHallucinationsKeepsOrderAndAppendsMissedObjects() {
        Scene s = scene("red circle", "green cross", "yellow square");
        assertEquals("a red circle , a green cross and a yellow square .",
                SceneText.correct("a red circle , a blue square and a green cross .", s));
        assertEquals("a green cross , a red circle and a yellow square .",
                SceneText.correct("a green cross and a red circle and a green cross", s));
        assertEquals("a red circle , a green cross and a yellow square .", SceneText.correct("blah <unk>", s));
    }

    @Test
    void correctingAHallucinationGivesTheTrueCaptionBack() {
        SceneWorld world = SceneWorld.training();
        SplittableRandom rng = new SplittableRandom(3);
        for (int i = 0; i < 200; i++) {
            Scene s = world.scene(5, i);
            String hallucinated = SceneText.hallucinate(s, rng);
            assertTrue(ChairMetric.score(hallucinated, s).hallucinates());
            assertEquals(SceneText.caption(s), SceneText.correct(hallucinated, s));
        }
    }
}
