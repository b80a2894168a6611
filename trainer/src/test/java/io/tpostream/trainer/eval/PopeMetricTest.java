package io.tpostream.trainer.eval;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class PopeMetricTest {

    /**
     * random: yes-questions answered yes, "Yes.", no, "maybe"; no-questions answered no, yes, "" →
     * TP 2, FN 1, unparseable on yes 1, TN 1, FP 1, unparseable on no 1.
     * adversarial: a yes-question answered no (FN) and a no-question answered yes (FP).
     */
    private static PopeMetric example() {
        return new PopeMetric()
                .add(PopeSplit.RANDOM, true, "yes")
                .add(PopeSplit.RANDOM, true, "Yes.")
                .add(PopeSplit.RANDOM, true, "no")
                .add(PopeSplit.RANDOM, true, "maybe")
                .add(PopeSplit.RANDOM, false, "no , there is not")
                .add(PopeSplit.RANDOM, false, "yes")
                .add(PopeSplit.RANDOM, false, "")
                .add(PopeSplit.ADVERSARIAL, true, "no")
                .add(PopeSplit.ADVERSARIAL, false, "yes");
    }

    @Test
    void perSplitConfusionAndRatios() {
        PopeMetric.Result random = example().split(PopeSplit.RANDOM);
        assertEquals(new PopeMetric.Result(2, 1, 1, 1, 1, 1), random);
        assertEquals(7, random.total());
        assertEquals(2, random.unparseable());
        assertEquals(3.0 / 7, random.accuracy(), 1e-12);
        assertEquals(2.0 / 3, random.precision(), 1e-12);
        assertEquals(2.0 / 4, random.recall(), 1e-12);
        assertEquals(4.0 / 7, random.f1(), 1e-12); // 2·(2/3)·(1/2) / (2/3 + 1/2)
        assertEquals(3.0 / 7, random.yesRatio(), 1e-12);

        PopeMetric.Result adversarial = example().split(PopeSplit.ADVERSARIAL);
        assertEquals(0.0, adversarial.accuracy());
        assertEquals(0.0, adversarial.precision());
        assertEquals(0.0, adversarial.f1());
        assertEquals(0.5, adversarial.yesRatio());

        assertEquals(0, example().split(PopeSplit.POPULAR).total());
        assertEquals(2, example().bySplit().size());
    }

    @Test
    void overallSumsTheSplits() {
        PopeMetric.Result all = example().overall();
        assertEquals(new PopeMetric.Result(2, 2, 1, 2, 1, 1), all);
        assertEquals(3.0 / 9, all.accuracy(), 1e-12);
        assertEquals(2.0 / 4, all.precision(), 1e-12);
        assertEquals(2.0 / 5, all.recall(), 1e-12);
        assertEquals(4.0 / 9, all.f1(), 1e-12); // 2·0.5·0.4 / 0.9
        assertEquals(4.0 / 9, all.yesRatio(), 1e-12);
    }

    @Test
    void answersAreReadByTheirFirstWord() {
        assertEquals(PopeMetric.Answer.YES, PopeMetric.Answer.parse(" YES , there is"));
        assertEquals(PopeMetric.Answer.NO, PopeMetric.Answer.parse("no."));
        assertEquals(PopeMetric.Answer.UNPARSEABLE, PopeMetric.Answer.parse("yesterday"));
        assertEquals(PopeMetric.Answer.UNPARSEABLE, PopeMetric.Answer.parse("a red circle"));
        assertEquals(PopeMetric.Answer.UNPARSEABLE, PopeMetric.Answer.parse(". yes"));
    }
}
