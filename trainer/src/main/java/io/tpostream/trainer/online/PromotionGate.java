package io.tpostream.trainer.online;

import io.tpostream.trainer.eval.BenchmarkSpec;
import io.tpostream.trainer.eval.BiasMode;
import io.tpostream.trainer.eval.Evaluator;
import io.tpostream.trainer.eval.ProbeSet;
import io.tpostream.trainer.eval.Scene;
import io.tpostream.trainer.model.ModelInstance;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.DoubleBinaryOperator;

/**
 * Decides whether a candidate may be served: finite weights, and no hallucination regression on the probe set.
 *
 * <p>A regression is measured from the best value any served version has reached, not from the version served now:
 * against the served version alone, each version could give up one allowance more and the served model would drift
 * past its base in steps that each look harmless (seen in a ten-minute run: CHAIR_i from 0.00 back up to 0.13, above
 * the base's 0.07, one allowed step at a time). The bests travel in every PASSED version's metrics
 * ({@link #BEST_CHAIR_I}, {@link #BEST_POPE_ADVERSARIAL_F1}), so a restarted trainer reads them from the topic.
 */
public final class PromotionGate {

    public static final String CHAIR_I = "eval/chair_i";
    public static final String POPE_ADVERSARIAL_F1 = "eval/pope_adversarial_f1";
    public static final String BEST_CHAIR_I = "gate/best_chair_i";
    public static final String BEST_POPE_ADVERSARIAL_F1 = "gate/best_pope_adversarial_f1";

    private final GateConfig config;
    private final ProbeSet probes;
    private final Evaluator evaluator = new Evaluator(64, 24);

    public PromotionGate(GateConfig config, int imageSize) {
        this.config = config;
        this.probes = ProbeSet.generate(BenchmarkSpec.of(config.probeSeed(), config.probeImages(), BiasMode.NONE,
                sceneSize(imageSize)));
    }

    /**
     * The side the probe scenes are drawn at: the model's own input size when the scene world can draw it, else
     * the nearest size it can, which the model's preprocessor then resizes (a LLaVA-1.5 model takes 336 px).
     */
    static int sceneSize(int modelImageSize) {
        return Math.max(Scene.MIN_IMAGE_SIZE, Math.min(Scene.MAX_IMAGE_SIZE, modelImageSize));
    }

    /** The probe-set metrics of a model (eval/chair_i, eval/pope_*_f1, ...). */
    public Map<String, Double> measure(ModelInstance model) {
        return evaluator.evaluate(model, probes).metrics();
    }

    /**
     * The bests to record with a version that is being served: the previous PASSED version's bests (its own
     * values if it predates them; nothing for the first version) improved by this version's measurements.
     *
     * @param previous metrics of the previous PASSED version, empty for version 0
     * @param served   probe-set metrics of the version now passing
     */
    public static Map<String, Double> bestsAfter(Map<String, Double> previous, Map<String, Double> served) {
        Map<String, Double> out = new LinkedHashMap<>();
        best(previous, BEST_CHAIR_I, CHAIR_I, served.get(CHAIR_I), Math::min).ifPresent(v -> out.put(BEST_CHAIR_I, v));
        best(previous, BEST_POPE_ADVERSARIAL_F1, POPE_ADVERSARIAL_F1, served.get(POPE_ADVERSARIAL_F1), Math::max)
                .ifPresent(v -> out.put(BEST_POPE_ADVERSARIAL_F1, v));
        return out;
    }

    private static Optional<Double> best(Map<String, Double> previous, String bestKey, String metric, Double now,
                                         DoubleBinaryOperator better) {
        Double before = reference(previous, bestKey, metric);
        boolean hasBefore = before != null && Double.isFinite(before);
        boolean hasNow = now != null && Double.isFinite(now);
        if (hasBefore && hasNow) {
            return Optional.of(better.applyAsDouble(before, now));
        }
        return hasBefore ? Optional.of(before) : hasNow ? Optional.of(now) : Optional.empty();
    }

    /** The recorded best, or for versions written before bests were recorded, the version's own value. */
    private static Double reference(Map<String, Double> metrics, String bestKey, String metric) {
        Double best = metrics.get(bestKey);
        return best != null ? best : metrics.get(metric);
    }

    /**
     * Empty if the candidate may be served; otherwise the reason it may not.
     *
     * @param served    metrics of the version being served (with the bests it recorded)
     * @param candidate probe-set metrics of the candidate
     */
    public Optional<String> verdict(Map<String, Double> served, Map<String, Double> candidate) {
        if (!config.enabled()) {
            return Optional.empty();
        }
        double bestChair = orNaN(reference(served, BEST_CHAIR_I, CHAIR_I));
        double bestPope = orNaN(reference(served, BEST_POPE_ADVERSARIAL_F1, POPE_ADVERSARIAL_F1));
        Optional<String> unmeasured = unmeasured(candidate, CHAIR_I, bestChair)
                .or(() -> unmeasured(candidate, POPE_ADVERSARIAL_F1, bestPope));
        if (unmeasured.isPresent()) {
            return unmeasured;
        }
        double chair = candidate.getOrDefault(CHAIR_I, Double.NaN);
        if (chair - bestChair > config.maxChairIIncrease()) {
            return Optional.of(String.format(Locale.ROOT, "CHAIR_i rose from %.4f%s to %.4f (allowed %+.4f)",
                    bestChair, note(served, BEST_CHAIR_I, CHAIR_I), chair, config.maxChairIIncrease()));
        }
        double pope = candidate.getOrDefault(POPE_ADVERSARIAL_F1, Double.NaN);
        if (bestPope - pope > config.maxPopeF1Drop()) {
            return Optional.of(String.format(Locale.ROOT, "POPE-adversarial F1 fell from %.4f%s to %.4f (allowed -%.4f)",
                    bestPope, note(served, BEST_POPE_ADVERSARIAL_F1, POPE_ADVERSARIAL_F1), pope,
                    config.maxPopeF1Drop()));
        }
        return Optional.empty();
    }

    /** A comparison with NaN is false: without this check a candidate that cannot be measured would pass. */
    private static Optional<String> unmeasured(Map<String, Double> candidate, String metric, double baseline) {
        return Double.isFinite(baseline) && !Double.isFinite(candidate.getOrDefault(metric, Double.NaN))
                ? Optional.of("the candidate has no finite " + metric + " to compare with the served " + baseline)
                : Optional.empty();
    }

    /** Says so when the reference is a best reached earlier rather than the served version's own value. */
    private static String note(Map<String, Double> served, String bestKey, String metric) {
        Double best = served.get(bestKey);
        return best != null && !best.equals(served.get(metric)) ? " (the best served so far)" : "";
    }

    private static double orNaN(Double value) {
        return value == null ? Double.NaN : value;
    }
}
