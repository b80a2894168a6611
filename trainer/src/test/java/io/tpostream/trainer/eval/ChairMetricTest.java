package io.tpostream.trainer.eval;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static io.tpostream.trainer.eval.SceneTestData.kind;
import static io.tpostream.trainer.eval.SceneTestData.scene;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ChairMetricTest {

    @Test
    void oneHallucinatedMentionOfThree() {
        ChairMetric.CaptionScore s = ChairMetric.score("a red circle , a blue square and a green cross .",
                scene("red circle", "green cross"));
        assertEquals(3, s.mentions().size());
        assertEquals(List.of(kind("blue square")), s.hallucinated());
        assertTrue(s.hallucinates());
        assertEquals(Set.of(kind("red circle"), kind("green cross")), s.recalled());
        assertEquals(Set.of(), s.missed());

        ChairMetric.Result r = new ChairMetric().add("a red circle , a blue square and a green cross .",
                scene("red circle", "green cross")).result();
        assertEquals(1.0 / 3, r.chairI(), 1e-12);
        assertEquals(1.0, r.chairS());
        assertEquals(1.0, r.recall());
        assertEquals(3.0, r.meanMentions());
    }

    @Test
    void aggregatesOverCaptions() {
        ChairMetric m = new ChairMetric()
                // 3 mentions, 1 hallucinated, recalls 2 of 2
                .add("a red circle , a blue square and a green cross .", scene("red circle", "green cross"))
                // 1 mention, none hallucinated, recalls 1 of 3
                .add("a red circle", scene("red circle", "green triangle", "yellow cross"))
                // 2 mentions of the same absent kind: both hallucinated; recalls 0 of 1
                .add("a purple cross and a purple cross .", scene("red circle"))
                // no object mentioned at all: nothing hallucinated, recalls 0 of 1
                .add("<unk> .", scene("blue circle"));
        ChairMetric.Result r = m.result();
        assertEquals(4, r.captions());
        assertEquals(6, r.mentions());
        assertEquals(3, r.hallucinatedMentions());
        assertEquals(2, r.hallucinatingCaptions());
        assertEquals(7, r.trueObjects());
        assertEquals(3, r.recalledObjects());
        assertEquals(0.5, r.chairI(), 1e-12);
        assertEquals(0.5, r.chairS(), 1e-12);
        assertEquals(3.0 / 7, r.recall(), 1e-12);
        assertEquals(1.5, r.meanMentions(), 1e-12);
    }

    @Test
    void aTrueObjectMentionedTwiceIsNeitherHallucinatedNorRecalledTwice() {
        ChairMetric.CaptionScore s = ChairMetric.score("a red circle and a red circle .", scene("red circle", "blue square"));
        assertFalse(s.hallucinates());
        assertEquals(Set.of(kind("red circle")), s.recalled());
        assertEquals(Set.of(kind("blue square")), s.missed());
        ChairMetric.Result r = new ChairMetric().add("a red circle and a red circle .",
                scene("red circle", "blue square")).result();
        assertEquals(0.0, r.chairI());
        assertEquals(0.5, r.recall());
    }

    @Test
    void emptyMetricReportsZeros() {
        ChairMetric.Result r = new ChairMetric().result();
        assertEquals(0.0, r.chairI());
        assertEquals(0.0, r.chairS());
        assertEquals(0.0, r.recall());
        assertEquals(0.0, r.meanMentions());
    }
}
