package io.tpostream.ops.cli;

import io.tpostream.trainer.experiment.ExperimentResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

class StudyFilesTest {

    private static ExperimentResult part(String regime) {
        return new ExperimentResult(List.of(
                new ExperimentResult.Run("", ExperimentResult.BASE, 1, 0, ExperimentResult.Role.REPORTED,
                        Map.of("eval/chair_i", 0.06), 0),
                new ExperimentResult.Run(regime, "tpo", 1, 1e-4, ExperimentResult.Role.REPORTED,
                        Map.of("eval/chair_i", 0.02), 180.5)),
                List.of(new ExperimentResult.Selection(regime, "tpo", 1e-4, Map.of(5e-5, 0.03, 1e-4, 0.02))),
                List.of(new ExperimentResult.Diagnosis(regime, "tpo", 1, Map.of("chosen/true/s_base", 5.0))));
    }

    @Test
    void partsRunSideBySideReadBackAsOneStudyWithTheBaseOncePerSeed(@TempDir Path dir) throws Exception {
        Path a = dir.resolve("a.json");
        Path b = dir.resolve("b.json");
        StudyFiles.write(a, part("style"));
        StudyFiles.write(b, part("on-policy"));
        assertEquals(part("style"), StudyFiles.read(a), "a file reads back as written");

        ExperimentResult merged = StudyFiles.merge(List.of(a, b));
        assertEquals(3, merged.runs().size(), "one base run, one tpo run per regime");
        assertEquals(List.of("style", "on-policy"), merged.regimes());
        assertEquals(2, merged.selections().size());
        assertEquals(Map.of(5e-5, 0.03, 1e-4, 0.02), merged.selections().get(1).scores());
        assertEquals(2, merged.diagnoses().size());
    }
}
