package io.tpostream.trainer.experiment;

import ai.djl.Device;
import io.tpostream.trainer.model.ModelInstance;
import io.tpostream.trainer.model.TestModels;
import io.tpostream.trainer.tpo.Objective;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A fast end-to-end run of the offline experiment with a very small untrained model. */
class PreferenceExperimentTest {

    @Test
    void everyArmIsTrainedAndEvaluatedOnTheSameHeldOutScenes(@TempDir Path dir) throws Exception {
        Path base = dir.resolve("base.ckpt");
        try (ModelInstance m = TestModels.sceneMicroModel(3)) {
            m.checkpoint(Map.of(), Map.of()).write(base);
        }
        ExperimentConfig config = new ExperimentConfig(16, List.of(Objective.DPO, Objective.TPO), List.of(5L), 1, 8,
                1e-3, 4, 0.25);
        ExperimentResult result = PreferenceExperiment.run(base, config, Device.cpu(), (phase, done, total) -> { });

        assertEquals(List.of("base", "dpo", "tpo"), result.arms());
        for (ExperimentResult.Run run : result.runs()) {
            for (String metric : List.of("eval/chair_s", "eval/chair_i", "eval/pope_adversarial_f1", "eval/pope_random_f1")) {
                assertTrue(run.metrics().containsKey(metric), run.arm() + " lacks " + metric);
            }
            // an untrained model may write no object word at all; then there is no object-token score to report
            run.metrics().values().forEach(v -> assertTrue(Double.isFinite(v), run.arm() + ": " + run.metrics()));
            assertTrue(run.arm().equals("base") || run.medianStepMillis() > 0);
        }
        String table = result.table();
        assertTrue(table.contains("tpo") && table.contains("CHAIR_i"), table);
    }

    @Test
    void pairsMixCaptionsOnPolicyCaptionsAndAnswers() throws Exception {
        try (ModelInstance m = TestModels.sceneMicroModel(4)) {
            var pairs = ExperimentPairs.build(m, io.tpostream.trainer.eval.SceneWorld.unbiased(), 9, 20, 0.5);
            long questions = pairs.stream().filter(p -> p.prompt().startsWith("is there")).count();
            assertEquals(5, questions, "half of the 10 synthetic pairs are yes/no answers");
            pairs.forEach(p -> assertTrue(!p.chosen().equals(p.rejected())));
            assertTrue(pairs.size() >= 15, "on-policy pairs are made for the other half");
        }
    }
}
