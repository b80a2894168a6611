package io.tpostream.trainer.tpo;

import ai.djl.Device;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Checks {@link TpoLoss} against the golden vectors in src/test/resources/golden and, when the system property
 * {@code tpo.goldenDir} names a folder, every *.json there too. The comparison itself is {@link TpoGoldenCheck},
 * which the GPU device checks run as well.
 */
class TpoLossGoldenTest {

    /** What every golden file must be compared on: all outputs, the metric, the four input gradients, DPO. */
    private static final Set<String> COMPARED = Set.of("ignore_index", "policy_chosen_logps", "policy_rejected_logps",
            "reference_chosen_logps", "reference_rejected_logps", "chosen_scores", "rejected_scores", "chosen_weights",
            "rejected_weights", "rewards_chosen", "rewards_rejected", "loss", "metrics.loss", "grad.chosen_clean",
            "grad.chosen_noisy", "grad.rejected_clean", "grad.rejected_noisy", "dpo_loss_same_logits");

    @TestFactory
    Stream<DynamicTest> everyGoldenVectorMatches() throws IOException, URISyntaxException {
        List<Path> files = new ArrayList<>(TpoGoldenCheck.jsonFiles(bundledFolder()));
        assertFalse(files.isEmpty(), "no golden vectors in src/test/resources/golden");
        String extra = System.getProperty("tpo.goldenDir");
        if (extra != null) {
            Path folder = Path.of(extra);
            if (!Files.isDirectory(folder)) {
                fail("tpo.goldenDir=" + extra + " is not a folder");
            }
            List<Path> more = TpoGoldenCheck.jsonFiles(folder);
            if (more.isEmpty()) {
                fail("tpo.goldenDir=" + extra + " holds no *.json golden vectors");
            }
            files.addAll(more);
        }
        return files.stream().map(file -> DynamicTest.dynamicTest(file.toString(), () -> {
            TpoGoldenCheck.Report report = TpoGoldenCheck.check(GoldenVector.read(file), Device.cpu());
            assertEquals(COMPARED, report.comparisons().stream().map(TpoGoldenCheck.Comparison::key)
                    .collect(Collectors.toSet()), "compared keys");
            assertTrue(report.comparisons().stream().allMatch(c -> c.elements() > 0), "every key has values");
            assertTrue(report.passed(), () -> report.name() + " failed: " + report.failures());
        }));
    }

    @Test
    void aLossOffByMoreThanTheToleranceFails() throws IOException, URISyntaxException {
        GoldenVector golden = GoldenVector.read(TpoGoldenCheck.jsonFiles(bundledFolder()).get(0));
        ObjectNode tampered = golden.root().deepCopy();
        double loss = golden.number("expected.loss");
        ((ObjectNode) tampered.get("expected")).put("loss", loss + 10 * TpoGoldenCheck.VALUE_TOLERANCE * Math.max(1, loss));

        TpoGoldenCheck.Report report = TpoGoldenCheck.check(new GoldenVector(golden.name(), tampered), Device.cpu());

        assertEquals(Set.of("loss", "metrics.loss"), report.failures().stream().map(TpoGoldenCheck.Comparison::key)
                .collect(Collectors.toSet()));
    }

    private static Path bundledFolder() throws URISyntaxException {
        URL url = TpoLossGoldenTest.class.getResource("/golden");
        assertTrue(url != null, "test resource folder /golden is missing");
        return Path.of(url.toURI());
    }
}
