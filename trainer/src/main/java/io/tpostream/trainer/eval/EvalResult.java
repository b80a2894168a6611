package io.tpostream.trainer.eval;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A model's hallucination metrics on a probe set, plus every answer it gave (for reports and {@code --out}).
 *
 * @param chair         CHAIR over the generated captions
 * @param pope          POPE answers, per split
 * @param scoreMeans    mean visual-anchored score of the caption tokens per category (object, attribute, other)
 * @param captions      each generated caption with its image
 * @param answers       each POPE answer with its probe
 */
public record EvalResult(ChairMetric.Result chair, PopeMetric pope, Map<TokenCategory, Double> scoreMeans,
                         List<CaptionAnswer> captions, List<PopeAnswer> answers) {

    public record CaptionAnswer(String image, String caption) {
    }

    public record PopeAnswer(PopeProbe probe, String answer) {
    }

    /** Mean tokens per generated caption (the world's text is one token per space-separated word or mark). */
    public double meanCaptionTokens() {
        return captions.stream().mapToInt(c -> c.caption().isBlank() ? 0 : c.caption().strip().split("\\s+").length)
                .average().orElse(0);
    }

    /** Flat metric names as version records and reports use them. */
    public Map<String, Double> metrics() {
        Map<String, Double> m = new LinkedHashMap<>();
        if (chair.captions() > 0) {
            m.put("eval/chair_s", chair.chairS());
            m.put("eval/chair_i", chair.chairI());
            m.put("eval/caption_recall", chair.recall());
            m.put("eval/caption_length", meanCaptionTokens());
        }
        if (pope.overall().total() > 0) {
            for (var e : pope.bySplit().entrySet()) {
                String split = e.getKey().name().toLowerCase(java.util.Locale.ROOT);
                m.put("eval/pope_" + split + "_f1", e.getValue().f1());
                m.put("eval/pope_" + split + "_accuracy", e.getValue().accuracy());
                m.put("eval/pope_" + split + "_yes_ratio", e.getValue().yesRatio());
            }
        }
        scoreMeans.forEach((category, mean) -> {
            if (!mean.isNaN()) {
                m.put("eval/score_" + category.name().toLowerCase(java.util.Locale.ROOT), mean);
            }
        });
        return m;
    }
}
