package io.tpostream.trainer.experiment;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class LearningRateSelectionTest {

    private static final Map<String, Double> BASE = metrics(0.06, 0.80, 0.92);

    private static Map<String, Double> metrics(double chairI, double coverage, double popeAdversarialF1) {
        return Map.of(LearningRateSelection.CHAIR_I, chairI, LearningRateSelection.COVERAGE, coverage,
                LearningRateSelection.POPE_ADVERSARIAL_F1, popeAdversarialF1);
    }

    @Test
    void aQuieterModelDoesNotWinByHallucinatingLess() {
        // 2e-4 halves CHAIR_i but says much less: 0.01 + 0.30 lost coverage
        LearningRateSelection.Choice c = LearningRateSelection.choose(Map.of(
                1e-4, List.of(new LearningRateSelection.Trial(metrics(0.03, 0.82, 0.93), BASE)),
                2e-4, List.of(new LearningRateSelection.Trial(metrics(0.01, 0.50, 0.92), BASE))));
        assertEquals(1e-4, c.learningRate());
        assertEquals(0.03, c.meanScores().get(1e-4), 1e-12);
        assertEquals(0.01 + 0.30, c.meanScores().get(2e-4), 1e-12);
    }

    @Test
    void scoresAverageOverSeedsEachAgainstItsOwnBaseAndTiesGoToTheSmallerRate() {
        Map<String, Double> otherBase = metrics(0.05, 0.70, 0.90);
        LearningRateSelection.Choice c = LearningRateSelection.choose(Map.of(
                2e-4, List.of(new LearningRateSelection.Trial(metrics(0.02, 0.80, 0.92), BASE),
                        new LearningRateSelection.Trial(metrics(0.02, 0.70, 0.88), otherBase)),
                5e-5, List.of(new LearningRateSelection.Trial(metrics(0.02, 0.80, 0.92), BASE),
                        new LearningRateSelection.Trial(metrics(0.02, 0.70, 0.88), otherBase))));
        assertEquals((0.02 + 0.04) / 2, c.meanScores().get(2e-4), 1e-12, "POPE lost on the second seed only");
        assertEquals(5e-5, c.learningRate());
    }

    @Test
    void aRunWithoutTheMetricsIsAnError() {
        assertThrows(IllegalArgumentException.class, () -> LearningRateSelection.score(Map.of(), BASE));
    }
}
