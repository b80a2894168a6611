package io.tpostream.trainer.online;

import io.tpostream.trainer.eval.BenchmarkSpec;
import io.tpostream.trainer.eval.BiasMode;
import io.tpostream.trainer.eval.Evaluator;
import io.tpostream.trainer.eval.ProbeSet;
import io.tpostream.trainer.model.ModelInstance;

import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** Decides whether a candidate may be served: finite weights, and no hallucination regression on the probe set. */
public final class PromotionGate {

    public static final String CHAIR_I = "eval/chair_i";
    public static final String POPE_ADVERSARIAL_F1 = "eval/pope_adversarial_f1";

    private final GateConfig config;
    private final ProbeSet probes;
    private final Evaluator evaluator = new Evaluator(64, 24);

    public PromotionGate(GateConfig config, int imageSize) {
        this.config = config;
        this.probes = ProbeSet.generate(BenchmarkSpec.of(config.probeSeed(), config.probeImages(), BiasMode.NONE, imageSize));
    }

    /** The probe-set metrics of a model (eval/chair_i, eval/pope_*_f1, ...). */
    public Map<String, Double> measure(ModelInstance model) {
        return evaluator.evaluate(model, probes).metrics();
    }

    /**
     * Empty if the candidate may be served; otherwise the reason it may not.
     *
     * @param baseline  metrics of the version being served
     * @param candidate metrics of the candidate
     */
    public Optional<String> verdict(Map<String, Double> baseline, Map<String, Double> candidate) {
        if (!config.enabled()) {
            return Optional.empty();
        }
        for (String metric : new String[] {CHAIR_I, POPE_ADVERSARIAL_F1}) {
            // a comparison with NaN is false: without this a candidate that cannot be measured would pass
            if (Double.isFinite(baseline.getOrDefault(metric, Double.NaN))
                    && !Double.isFinite(candidate.getOrDefault(metric, Double.NaN))) {
                return Optional.of("the candidate has no finite " + metric + " to compare with the served "
                        + baseline.get(metric));
            }
        }
        double chairRise = candidate.getOrDefault(CHAIR_I, Double.NaN) - baseline.getOrDefault(CHAIR_I, Double.NaN);
        if (chairRise > config.maxChairIIncrease()) {
            return Optional.of(String.format(Locale.ROOT, "CHAIR_i rose from %.4f to %.4f (allowed %+.4f)",
                    baseline.get(CHAIR_I), candidate.get(CHAIR_I), config.maxChairIIncrease()));
        }
        double popeFall = baseline.getOrDefault(POPE_ADVERSARIAL_F1, Double.NaN)
                - candidate.getOrDefault(POPE_ADVERSARIAL_F1, Double.NaN);
        if (popeFall > config.maxPopeF1Drop()) {
            return Optional.of(String.format(Locale.ROOT, "POPE-adversarial F1 fell from %.4f to %.4f (allowed -%.4f)",
                    baseline.get(POPE_ADVERSARIAL_F1), candidate.get(POPE_ADVERSARIAL_F1), config.maxPopeF1Drop()));
        }
        return Optional.empty();
    }
}
