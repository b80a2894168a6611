package io.tpostream.trainer.experiment;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StudyReportTest {

    private static ExperimentResult.Run run(String regime, String arm, long seed, double chairI, double coverage) {
        Map<String, Double> m = new HashMap<>();
        StudyReport.COLUMNS.forEach(c -> m.put(c.metric(), 0.5));
        m.put("eval/chair_i", chairI);
        m.put("eval/caption_recall", coverage);
        return new ExperimentResult.Run(regime, arm, seed, arm.equals("base") ? 0 : 1e-4,
                ExperimentResult.Role.REPORTED, m, arm.equals("base") ? 0 : 10);
    }

    private static ExperimentResult result() {
        List<ExperimentResult.Run> runs = new ArrayList<>();
        double[] dpo = {0.030, 0.020, 0.040};
        double[] tpo = {0.020, 0.025, 0.030};
        for (int s = 0; s < 3; s++) {
            runs.add(run("", "base", s, 0.06, 0.8));
            runs.add(run("on-policy", "dpo", s, dpo[s], 0.8));
            runs.add(run("on-policy", "tpo", s, tpo[s], 0.7));
        }
        runs.add(new ExperimentResult.Run("on-policy", "tpo", 99, 2e-4, ExperimentResult.Role.VALIDATION,
                Map.of("eval/chair_i", 9.0), 10));
        return new ExperimentResult(runs, List.of(), List.of());
    }

    @Test
    void pairedDifferencesAreSeedBySeedAndCountTheSeedsThatFavourTheArm() {
        StudyReport report = new StudyReport(result());
        StudyReport.Column chair = StudyReport.COLUMNS.get(1);
        StudyReport.PairedDifference d = report.difference("on-policy", "tpo", chair).orElseThrow();
        assertEquals((-0.010 + 0.005 - 0.010) / 3, d.mean(), 1e-12);
        assertEquals(2, d.favouring(), "lower CHAIR_i is better: seeds 0 and 2");
        assertEquals(3, d.seeds());
        StudyReport.PairedDifference cover = report.difference("on-policy", "tpo", StudyReport.COLUMNS.get(2))
                .orElseThrow();
        assertEquals(-0.1, cover.mean(), 1e-12);
        assertEquals(0, cover.favouring(), "higher coverage is better and tpo covers less on every seed");
    }

    @Test
    void tablesReportOnlyReportedSeeds() {
        String table = new StudyReport(result()).table("on-policy");
        assertTrue(table.contains("regime on-policy (3 seeds"), table);
        assertTrue(table.contains("0.0250 ±"), "tpo's mean CHAIR_i without the validation run: " + table);
        assertTrue(table.contains("base") && table.contains("coverage") && table.contains("POPE-adv F1"), table);
        String full = new StudyReport(result()).full();
        assertTrue(full.contains("paired difference tpo − dpo"), full);
    }
}
