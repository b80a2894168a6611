package io.tpostream.ops.demo;

import io.tpostream.schema.ModelVersion;
import io.tpostream.schema.VersionStatus;
import io.tpostream.trainer.training.PretrainConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A short demo on the real embedded broker: the whole loop closes and the report shows it. */
class DemoIT {

    @Test
    void theLoopPublishesVersionsTheServiceAppliesThemAndTheReportShowsIt(@TempDir Path out) throws Exception {
        // a quickly pre-trained base (it still captions with errors, so users correct it) and a one-minute run
        DemoSettings settings = DemoSettings.defaults(out)
                .withPretrain(PretrainConfig.defaults().withSteps(120))
                .withLength(Duration.ofSeconds(50))
                .withTraining(8, 2, Duration.ofSeconds(6), 8);
        StringWriter console = new StringWriter();
        DemoSummary summary = DemoRun.run(settings, new PrintWriter(console, true), () -> false);

        List<ModelVersion> versions = summary.versions();
        assertTrue(versions.size() >= 3, "base + at least two trained versions:\n" + console);
        assertEquals(0, versions.get(0).getVersion());
        for (int i = 1; i < versions.size(); i++) {
            ModelVersion v = versions.get(i);
            assertEquals(i, v.getVersion(), "versions are numbered without gaps");
            assertTrue(v.getParentVersion() >= 0 && v.getParentVersion() < v.getVersion(), "lineage of v" + i);
            assertFalse(v.getTrainingWindow().isEmpty(), "v" + i + " names the pairs it trained on");
            assertTrue(Files.isRegularFile(Path.of(java.net.URI.create(v.getArtifact().getUri()))));
        }
        long passedTrained = versions.stream().filter(v -> v.getVersion() > 0 && v.getStatus() == VersionStatus.PASSED).count();
        assertTrue(passedTrained >= 1, "a trained version passed the gate");
        assertTrue(summary.appliedVersions().contains(0L), "the captioning service served the base");
        assertTrue(summary.appliedVersions().stream().anyMatch(v -> v > 0), "and hot-swapped to a trained version");

        assertTrue(summary.malformedSent() > 0 || summary.feedbackSent() > 50, "users sent feedback");
        assertTrue(summary.accounting().reconciles(), "every record is a pair source, a dead letter or held: "
                + summary.accounting());
        assertTrue(summary.accounting().deadLetters() > 0);
        assertTrue(summary.streamsCounts().keySet().stream().anyMatch(k -> k.startsWith("dead-letters.")),
                "dead letters are counted by reason");

        Path report = DemoReport.write(summary, out.resolve("report.html"));
        String html = Files.readString(report);
        assertTrue(html.contains("<h2>Versions</h2>") && html.contains("v1"));
        assertTrue(html.split("data:image/png;base64,").length > 6, "charts are inlined as PNG");
        assertTrue(html.contains("Token rewards") && html.contains("class=\"tok\""), "token views are there");
        assertTrue(html.contains("Lineage of the final version"));
        assertTrue(html.contains("Reconciles"));
    }
}
