package io.tpostream.trainer.tpo;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Checks {@link TpoLoss} against the golden vectors in src/test/resources/golden and, when the system property
 * {@code tpo.goldenDir} names a folder, every *.json there too.
 */
class TpoLossGoldenTest {

    private static final double VALUE_TOLERANCE = 1e-6;
    private static final double GRADIENT_TOLERANCE = 1e-5;
    private static final String[] POLICY_INPUTS = {"chosen_clean", "chosen_noisy", "rejected_clean", "rejected_noisy"};

    @TestFactory
    Stream<DynamicTest> everyGoldenVectorMatches() throws IOException, URISyntaxException {
        List<Path> files = new ArrayList<>(jsonFiles(bundledFolder()));
        assertFalse(files.isEmpty(), "no golden vectors in src/test/resources/golden");
        String extra = System.getProperty("tpo.goldenDir");
        if (extra != null) {
            Path folder = Path.of(extra);
            if (!Files.isDirectory(folder)) {
                fail("tpo.goldenDir=" + extra + " is not a folder");
            }
            List<Path> more = jsonFiles(folder);
            if (more.isEmpty()) {
                fail("tpo.goldenDir=" + extra + " holds no *.json golden vectors");
            }
            files.addAll(more);
        }
        return files.stream().map(file -> DynamicTest.dynamicTest(file.toString(), () -> check(GoldenVector.read(file))));
    }

    private static Path bundledFolder() throws URISyntaxException {
        URL url = TpoLossGoldenTest.class.getResource("/golden");
        assertTrue(url != null, "test resource folder /golden is missing");
        return Path.of(url.toURI());
    }

    private static List<Path> jsonFiles(Path folder) throws IOException {
        try (Stream<Path> listing = Files.list(folder)) {
            return listing.filter(p -> p.getFileName().toString().endsWith(".json")).sorted().toList();
        }
    }

    private static void check(GoldenVector golden) {
        assertEquals(TpoLoss.IGNORE_INDEX, (int) golden.number("ignore_index"), golden.name());
        TpoLossConfig config = new TpoLossConfig(golden.number("beta"), golden.number("margin_a"), Objective.TPO);
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray[] policy = new NDArray[POLICY_INPUTS.length];
            for (int i = 0; i < policy.length; i++) {
                policy[i] = golden.floats(manager, "policy." + POLICY_INPUTS[i]);
                policy[i].setRequiresGradient(true);
            }
            PairLogits reference = new PairLogits(golden.floats(manager, "reference.chosen_clean"),
                    golden.floats(manager, "reference.chosen_noisy"), golden.floats(manager, "reference.rejected_clean"),
                    golden.floats(manager, "reference.rejected_noisy"));
            NDArray chosenLabels = golden.ints(manager, "labels.chosen");
            NDArray rejectedLabels = golden.ints(manager, "labels.rejected");

            TpoLossResult result;
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                result = TpoLoss.compute(new PairLogits(policy[0], policy[1], policy[2], policy[3]), reference,
                        chosenLabels, rejectedLabels, config);
                collector.backward(result.loss());
            }

            String n = golden.name();
            near(n, "policy_chosen_logps", golden, result.policyChosenLogps(), VALUE_TOLERANCE);
            near(n, "policy_rejected_logps", golden, result.policyRejectedLogps(), VALUE_TOLERANCE);
            near(n, "reference_chosen_logps", golden, result.referenceChosenLogps(), VALUE_TOLERANCE);
            near(n, "reference_rejected_logps", golden, result.referenceRejectedLogps(), VALUE_TOLERANCE);
            near(n, "chosen_scores", golden, result.chosenScores(), VALUE_TOLERANCE);
            near(n, "rejected_scores", golden, result.rejectedScores(), VALUE_TOLERANCE);
            near(n, "chosen_weights", golden, result.chosenWeights(), VALUE_TOLERANCE);
            near(n, "rejected_weights", golden, result.rejectedWeights(), VALUE_TOLERANCE);
            near(n, "rewards_chosen", golden, result.rewardsChosen(), VALUE_TOLERANCE);
            near(n, "rewards_rejected", golden, result.rewardsRejected(), VALUE_TOLERANCE);
            near(n, "loss", golden, result.loss(), VALUE_TOLERANCE);
            assertEquals(golden.number("expected.loss"), result.metrics().get("loss"), tolerance(golden.number("expected.loss"), VALUE_TOLERANCE));
            for (int i = 0; i < policy.length; i++) {
                near(n, "grad." + POLICY_INPUTS[i], golden, policy[i].getGradient(), GRADIENT_TOLERANCE);
            }

            NDArray dpoLoss = TpoLoss.compute(
                    PairLogits.cleanOnly(policy[0], policy[2]),
                    PairLogits.cleanOnly(reference.chosenClean(), reference.rejectedClean()),
                    chosenLabels, rejectedLabels, config.withObjective(Objective.DPO)).loss();
            near(n, "dpo_loss_same_logits", golden, dpoLoss, VALUE_TOLERANCE);
        }
    }

    private static void near(String file, String key, GoldenVector golden, NDArray actual, double tolerance) {
        String path = "expected." + key;
        assertEquals(golden.shape(path), actual.getShape(), file + " " + key + " shape");
        double[] expected = golden.expected(path);
        float[] values = actual.toFloatArray();
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], values[i], tolerance(expected[i], tolerance), file + " " + key + "[" + i + "]");
        }
    }

    /** Absolute near zero, relative for large magnitudes (log-probabilities reach -30). */
    private static double tolerance(double expected, double tolerance) {
        return tolerance * Math.max(1, Math.abs(expected));
    }
}
