package io.tpostream.trainer.experiment;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The preregistered rule that picks a learning rate on validation seeds: the lowest mean of
 * <pre>
 *   CHAIR_i + max(0, coverage_base − coverage) + max(0, POPE-adv F1_base − POPE-adv F1)
 * </pre>
 * over the validation seeds, each run against the base on the same seed. Hallucination is what is minimised;
 * saying less (lost coverage) and answering worse (lost POPE F1) cost as much as the same amount of CHAIR_i, so a
 * rate cannot win by making the model quiet. Ties go to the smaller rate.
 */
public final class LearningRateSelection {

    public static final String CHAIR_I = "eval/chair_i";
    public static final String COVERAGE = "eval/caption_recall";
    public static final String POPE_ADVERSARIAL_F1 = "eval/pope_adversarial_f1";

    private LearningRateSelection() {
    }

    /** One validation run's score against the base on its seed; lower is better. */
    public static double score(Map<String, Double> run, Map<String, Double> base) {
        return value(run, CHAIR_I)
                + Math.max(0, value(base, COVERAGE) - value(run, COVERAGE))
                + Math.max(0, value(base, POPE_ADVERSARIAL_F1) - value(run, POPE_ADVERSARIAL_F1));
    }

    /** A candidate's validation runs, each paired with the base run on the same seed. */
    public record Trial(Map<String, Double> run, Map<String, Double> base) {
    }

    /** Mean score per candidate rate, and the winner. */
    public record Choice(double learningRate, Map<Double, Double> meanScores) {
    }

    public static Choice choose(Map<Double, List<Trial>> trialsByRate) {
        if (trialsByRate.isEmpty()) {
            throw new IllegalArgumentException("no candidate learning rate");
        }
        Map<Double, Double> means = new TreeMap<>();
        trialsByRate.forEach((rate, trials) -> means.put(rate,
                trials.stream().mapToDouble(t -> score(t.run(), t.base())).average().orElse(Double.NaN)));
        double best = Double.NaN;
        for (Map.Entry<Double, Double> e : means.entrySet()) { // ascending rates: the first minimum is the smallest
            if (Double.isNaN(best) || e.getValue() < means.get(best)) {
                best = e.getKey();
            }
        }
        return new Choice(best, means);
    }

    private static double value(Map<String, Double> metrics, String name) {
        Double v = metrics.get(name);
        if (v == null || v.isNaN()) {
            throw new IllegalArgumentException("a validation run lacks " + name + ": " + metrics.keySet());
        }
        return v;
    }
}
