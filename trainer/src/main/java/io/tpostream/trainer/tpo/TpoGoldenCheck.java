package io.tpostream.trainer.tpo;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.tpostream.trainer.model.GradientTape;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Runs {@link TpoLoss} on a golden vector's inputs, on any device, and compares every output and every input
 * gradient with the float64 values in the file. The unit test runs it on the CPU and the GPU device checks on
 * the GPU, so both hold the loss to the same keys and tolerances.
 */
public final class TpoGoldenCheck {

    /** For outputs; relative for magnitudes above 1, absolute below (log-probabilities reach -30). */
    public static final double VALUE_TOLERANCE = 1e-6;
    /** For the gradients with respect to the four policy logits inputs. */
    public static final double GRADIENT_TOLERANCE = 1e-5;

    private static final String[] POLICY_INPUTS = {"chosen_clean", "chosen_noisy", "rejected_clean", "rejected_noisy"};

    /**
     * One compared quantity.
     *
     * @param maxError   max over its elements of |actual - expected| / max(1, |expected|); NaN if any is NaN
     * @param worstIndex the flat index of that element, -1 when nothing was compared
     * @param problem    why the values could not be compared (shape, missing), or null
     */
    public record Comparison(String key, long elements, double maxError, long worstIndex, double tolerance,
                             String problem) {

        public boolean passed() {
            return problem == null && maxError <= tolerance; // false for NaN
        }
    }

    /** Every comparison of one golden file. */
    public record Report(String name, List<Comparison> comparisons) {

        public boolean passed() {
            return comparisons.stream().allMatch(Comparison::passed);
        }

        public List<Comparison> failures() {
            return comparisons.stream().filter(c -> !c.passed()).toList();
        }
    }

    private TpoGoldenCheck() {
    }

    /** The *.json files of a folder, sorted by name. */
    public static List<Path> jsonFiles(Path folder) throws IOException {
        try (Stream<Path> listing = Files.list(folder)) {
            return listing.filter(p -> p.getFileName().toString().endsWith(".json")).sorted().toList();
        }
    }

    /** Computes the TPO loss (and the DPO loss on the clean logits) of the golden inputs on {@code device}. */
    public static Report check(GoldenVector golden, Device device) {
        List<Comparison> out = new ArrayList<>();
        // tolerance 0: the file's ignore index must be the loss's own
        out.add(new Comparison("ignore_index", 1, Math.abs(golden.number("ignore_index") - TpoLoss.IGNORE_INDEX), 0, 0,
                null));
        TpoLossConfig config = new TpoLossConfig(golden.number("beta"), golden.number("margin_a"), Objective.TPO);
        try (NDManager manager = NDManager.newBaseManager(device)) {
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
            try (GradientTape collector = new GradientTape()) {
                result = TpoLoss.compute(new PairLogits(policy[0], policy[1], policy[2], policy[3]), reference,
                        chosenLabels, rejectedLabels, config);
                collector.backward(result.loss());
            }

            out.add(compare(golden, "policy_chosen_logps", result.policyChosenLogps(), VALUE_TOLERANCE));
            out.add(compare(golden, "policy_rejected_logps", result.policyRejectedLogps(), VALUE_TOLERANCE));
            out.add(compare(golden, "reference_chosen_logps", result.referenceChosenLogps(), VALUE_TOLERANCE));
            out.add(compare(golden, "reference_rejected_logps", result.referenceRejectedLogps(), VALUE_TOLERANCE));
            out.add(compare(golden, "chosen_scores", result.chosenScores(), VALUE_TOLERANCE));
            out.add(compare(golden, "rejected_scores", result.rejectedScores(), VALUE_TOLERANCE));
            out.add(compare(golden, "chosen_weights", result.chosenWeights(), VALUE_TOLERANCE));
            out.add(compare(golden, "rejected_weights", result.rejectedWeights(), VALUE_TOLERANCE));
            out.add(compare(golden, "rewards_chosen", result.rewardsChosen(), VALUE_TOLERANCE));
            out.add(compare(golden, "rewards_rejected", result.rewardsRejected(), VALUE_TOLERANCE));
            out.add(compare(golden, "loss", result.loss(), VALUE_TOLERANCE));
            // the metric is read back to the host separately from the loss array: check that path too
            double metricLoss = result.metrics().get("loss");
            double expectedLoss = golden.number("expected.loss");
            out.add(new Comparison("metrics.loss", 1, scaledError(expectedLoss, metricLoss), 0, VALUE_TOLERANCE, null));
            for (int i = 0; i < policy.length; i++) {
                out.add(compare(golden, "grad." + POLICY_INPUTS[i], policy[i].getGradient(), GRADIENT_TOLERANCE));
            }

            NDArray dpoLoss = TpoLoss.compute(
                    PairLogits.cleanOnly(policy[0], policy[2]),
                    PairLogits.cleanOnly(reference.chosenClean(), reference.rejectedClean()),
                    chosenLabels, rejectedLabels, config.withObjective(Objective.DPO)).loss();
            out.add(compare(golden, "dpo_loss_same_logits", dpoLoss, VALUE_TOLERANCE));
        }
        return new Report(golden.name(), List.copyOf(out));
    }

    private static Comparison compare(GoldenVector golden, String key, NDArray actual, double tolerance) {
        String path = "expected." + key;
        if (!golden.shape(path).equals(actual.getShape())) {
            return new Comparison(key, 0, Double.NaN, -1, tolerance,
                    "shape " + actual.getShape() + ", expected " + golden.shape(path));
        }
        double[] expected = golden.expected(path);
        float[] values = actual.toFloatArray();
        double worst = 0;
        long worstIndex = expected.length == 0 ? -1 : 0;
        for (int i = 0; i < expected.length; i++) {
            double error = scaledError(expected[i], values[i]);
            if (Double.isNaN(error)) {
                return new Comparison(key, expected.length, Double.NaN, i, tolerance, null);
            }
            if (error > worst) {
                worst = error;
                worstIndex = i;
            }
        }
        return new Comparison(key, expected.length, worst, worstIndex, tolerance, null);
    }

    /** Absolute near zero, relative for large magnitudes. */
    private static double scaledError(double expected, double actual) {
        return Math.abs(actual - expected) / Math.max(1, Math.abs(expected));
    }
}
