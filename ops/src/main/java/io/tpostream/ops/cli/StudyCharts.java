package io.tpostream.ops.cli;

import io.tpostream.ops.demo.Charts;
import io.tpostream.trainer.experiment.ExperimentResult;
import io.tpostream.trainer.experiment.LearningRateSelection;

import java.util.ArrayList;
import java.util.List;

/** The study's pictures: what each arm traded between saying less (coverage) and hallucinating less (CHAIR_i). */
final class StudyCharts {

    private StudyCharts() {
    }

    /** One mark per reported (arm, seed) of a regime: coverage across, CHAIR_i up; the base's seeds too. */
    static byte[] tradeoff(ExperimentResult result, String regime) {
        List<Charts.Series> series = new ArrayList<>();
        for (String arm : result.arms()) {
            List<double[]> points = new ArrayList<>();
            for (ExperimentResult.Run r : result.reported(regime, arm)) {
                Double coverage = r.metrics().get(LearningRateSelection.COVERAGE);
                Double chair = r.metrics().get(LearningRateSelection.CHAIR_I);
                if (coverage != null && chair != null) {
                    points.add(new double[] {coverage, chair});
                }
            }
            if (!points.isEmpty()) {
                series.add(new Charts.Series(arm, points));
            }
        }
        return Charts.scatterChart(regime + ": one mark per seed", "coverage (share of the scene's objects named)",
                "CHAIR_i", series);
    }
}
