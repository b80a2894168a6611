package io.tpostream.ops.cli;

import io.tpostream.ops.testing.Cli;
import io.tpostream.trainer.experiment.ExperimentResult;
import io.tpostream.trainer.testing.SceneFixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code tpo experiment} from the command line, at a size that runs in seconds. */
class ExperimentCommandTest {

    @TempDir
    Path dir;

    @Test
    void aStudyOnTwoWorkersPrintsItsTablesAndKeepsEveryRun() throws Exception {
        Path base = SceneFixtures.writeBaseModel(dir.resolve("base.ckpt"), 3);
        Path json = dir.resolve("study.json");
        Cli.Result r = Cli.run("experiment", "--base", base.toString(), "--regime", "minimal,style", "--pairs", "16",
                "--batch-size", "8", "--epochs", "1", "--eval-images", "4", "--objectives", "dpo,tpo",
                "--noise-steps", "250", "--seeds", "1,2", "--workers", "2", "--device", "cpu", "--json",
                json.toString());
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(r.out().contains("regime minimal") && r.out().contains("regime style"), r.out());
        assertTrue(r.out().contains("2 workers"), r.out());

        ExperimentResult result = StudyFiles.read(json);
        assertEquals(List.of("base", "dpo", "tpo", "tpo k=250"), result.arms());
        long reported = result.runs().stream().filter(run -> !run.arm().equals(ExperimentResult.BASE)).count();
        assertEquals(2 * 3 * 2, reported, "2 regimes x 3 arms x 2 seeds");
    }

    @Test
    void noWorkersIsAUsageError() {
        Cli.Result r = Cli.run("experiment", "--base", "x.ckpt", "--workers", "0");
        assertEquals(2, r.exitCode(), r.toString());
        assertTrue(r.err().contains("--workers must be at least 1"), r.err());
    }
}
