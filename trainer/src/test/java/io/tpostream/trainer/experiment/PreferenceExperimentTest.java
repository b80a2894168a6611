package io.tpostream.trainer.experiment;

import ai.djl.Device;
import io.tpostream.trainer.experiment.regime.PairRegime;
import io.tpostream.trainer.experiment.regime.RegimeSettings;
import io.tpostream.trainer.model.ModelInstance;
import io.tpostream.trainer.model.TestModels;
import io.tpostream.trainer.tpo.Objective;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A fast end-to-end run of the study with a very small untrained model. */
class PreferenceExperimentTest {

    @Test
    void ratesAreChosenOnValidationSeedsAndEveryArmIsReportedOnTheOthers(@TempDir Path dir) throws Exception {
        Path base = dir.resolve("base.ckpt");
        try (ModelInstance m = TestModels.sceneMicroModel(3)) {
            m.checkpoint(Map.of(), Map.of()).write(base);
        }
        List<Arm> arms = List.of(Arm.of(Objective.DPO), Arm.of(Objective.TPO));
        ExperimentConfig config = new ExperimentConfig(16, arms, List.of(PairRegime.STYLE, PairRegime.ON_POLICY),
                List.of(5L), List.of(7L), null, List.of(1e-3, 3e-3), Map.of(), 2, 8, 4, RegimeSettings.defaults(0.25));
        List<long[]> progress = new ArrayList<>();
        ExperimentResult result = PreferenceExperiment.run(base, config, Device.cpu(),
                (phase, done, total) -> progress.add(new long[] {done, total}));

        assertEquals(List.of("style", "on-policy"), result.regimes());
        assertEquals(List.of("base", "dpo", "tpo"), result.arms());
        long validation = result.runs().stream().filter(r -> r.role() == ExperimentResult.Role.VALIDATION).count();
        assertEquals(1 + 2 * 2 * 2, validation, "the base on seed 7, and 2 regimes x 2 arms x 2 rates");
        assertTrue(result.runs().stream().filter(r -> r.role() == ExperimentResult.Role.VALIDATION)
                .allMatch(r -> r.seed() == 7), "validation runs only on the validation seed");
        for (ExperimentResult.Selection s : result.selections()) {
            double best = s.scores().values().stream().mapToDouble(Double::doubleValue).min().orElseThrow();
            assertEquals(best, s.scores().get(s.learningRate()), s.toString());
            for (ExperimentResult.Run r : result.reported(s.regime(), s.arm())) {
                assertEquals(s.learningRate(), r.learningRate(), "reported with the chosen rate");
                assertEquals(5L, r.seed());
                for (StudyReport.Column c : StudyReport.COLUMNS) {
                    assertTrue(Double.isFinite(r.metrics().getOrDefault(c.metric(), Double.NaN)),
                            r.arm() + " lacks " + c.metric() + ": " + r.metrics());
                }
                assertTrue(r.medianStepMillis() > 0);
            }
        }
        assertEquals(4, result.selections().size());
        assertEquals(4, result.diagnoses().size(), "dpo and tpo in each regime on the reported seed");
        result.diagnoses().forEach(d -> assertTrue(d.values().containsKey("chosen/other/s_base")
                && d.values().containsKey("chosen/other/s_trained"), d.values().keySet().toString()));

        long[] last = progress.get(progress.size() - 1);
        assertEquals(last[1], last[0], "the bar ends full");
        for (int i = 1; i < progress.size(); i++) {
            assertTrue(progress.get(i)[0] >= progress.get(i - 1)[0], "progress never goes back");
            assertTrue(progress.get(i)[0] <= last[1], "progress never passes the estimate's total");
        }
        String report = new StudyReport(result).full();
        assertTrue(report.contains("regime on-policy") && report.contains("learning rates chosen"), report);
    }

    @Test
    void oneTuneRegimeChoosesTheRatesOfEveryRegimeAndFixedRatesTuneNothing(@TempDir Path dir) throws Exception {
        Path base = dir.resolve("base.ckpt");
        try (ModelInstance m = TestModels.sceneMicroModel(3)) {
            m.checkpoint(Map.of(), Map.of()).write(base);
        }
        List<Arm> arms = List.of(Arm.of(Objective.DPO));
        ExperimentResult tuned = PreferenceExperiment.run(base, new ExperimentConfig(16, arms,
                List.of(PairRegime.REPHRASED, PairRegime.STYLE), List.of(5L), List.of(7L), PairRegime.STYLE,
                List.of(1e-3, 3e-3), Map.of(), 1, 8, 4, RegimeSettings.defaults(0.25)), Device.cpu(), (p, d, t) -> { });
        assertEquals(1, tuned.selections().size());
        assertEquals("style", tuned.selections().get(0).regime());
        double rate = tuned.selections().get(0).learningRate();
        assertTrue(tuned.runs().stream().filter(r -> r.role() == ExperimentResult.Role.REPORTED && r.arm().equals("dpo"))
                .allMatch(r -> r.learningRate() == rate), "both regimes use the style regime's choice");

        ExperimentResult fixed = PreferenceExperiment.run(base, new ExperimentConfig(16, arms,
                List.of(PairRegime.REPHRASED), List.of(5L), List.of(), null, List.of(1e-3),
                Map.of("dpo", 2e-3), 1, 8, 4, RegimeSettings.defaults(0.25)), Device.cpu(), (p, d, t) -> { });
        assertEquals(List.of(), fixed.selections());
        assertEquals(2e-3, fixed.reported("rephrased", "dpo").get(0).learningRate());
    }

    @Test
    void severalWorkersGiveEveryRunTheSameResultInTheSameOrder(@TempDir Path dir) throws Exception {
        Path base = dir.resolve("base.ckpt");
        try (ModelInstance m = TestModels.sceneMicroModel(3)) {
            m.checkpoint(Map.of(), Map.of()).write(base);
        }
        List<Arm> arms = List.of(Arm.of(Objective.DPO), Arm.of(Objective.TPO), new Arm(Objective.TPO, 250, 0.5));
        ExperimentConfig config = new ExperimentConfig(16, arms, List.of(PairRegime.MINIMAL, PairRegime.ON_POLICY),
                List.of(5L), List.of(7L), PairRegime.MINIMAL, List.of(1e-3, 3e-3), Map.of(), 2, 8, 4,
                RegimeSettings.defaults(0.25));
        ExperimentResult alone = PreferenceExperiment.run(base, config, 1, Device.cpu(), (p, d, t) -> { });
        ExperimentConfig tuneOnly = new ExperimentConfig(16, arms.subList(0, 1), List.of(PairRegime.MINIMAL),
                List.of(), List.of(7L), PairRegime.MINIMAL, List.of(1e-3, 3e-3), Map.of(), 1, 8, 4,
                RegimeSettings.defaults(0.25));
        assertEquals(1, PreferenceExperiment.run(base, tuneOnly, 2, Device.cpu(), (p, d, t) -> { }).selections()
                .size(), "a tune-only run on two workers chooses a rate and reports nothing");
        List<long[]> progress = Collections.synchronizedList(new ArrayList<>());
        ExperimentResult together = PreferenceExperiment.run(base, config, 3, Device.cpu(),
                (phase, done, total) -> progress.add(new long[] {done, total}));

        assertEquals(withoutTimes(alone.runs()), withoutTimes(together.runs()));
        assertEquals(alone.selections(), together.selections());
        assertEquals(alone.diagnoses(), together.diagnoses());
        long[] last = progress.get(progress.size() - 1);
        assertEquals(last[1], last[0], "the bar ends full");
        for (int i = 1; i < progress.size(); i++) {
            assertTrue(progress.get(i)[0] >= progress.get(i - 1)[0], "progress never goes back, whatever the threads");
        }
    }

    /** A run without its step time, which is all that may differ between two runs of the same study. */
    private static List<ExperimentResult.Run> withoutTimes(List<ExperimentResult.Run> runs) {
        return runs.stream().map(r -> new ExperimentResult.Run(r.regime(), r.arm(), r.seed(), r.learningRate(),
                r.role(), r.metrics(), 0)).toList();
    }
}
