package io.tpostream.trainer.experiment.regime;

import io.tpostream.trainer.eval.ChairMetric;
import io.tpostream.trainer.eval.Scene;

import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * How a rater who sees the scene ranks sampled captions: fewer hallucinated mentions first, then more of the
 * scene's objects covered. The best caption is chosen over the worst; if they rank equal (all samples tie, or
 * the only difference is wording) there is no preference and the scene gives no pair. Both sides may hallucinate:
 * a caption with one wrong object is still better than one with two.
 */
public final class SampleRanking {

    /** A caption and what the rater counted in it. */
    public record Ranked(String caption, int hallucinated, int covered) {
    }

    /** The chosen and the rejected caption of a ranked set. */
    public record Preference(Ranked chosen, Ranked rejected) {
    }

    /** Better first: fewer hallucinated mentions, then more distinct true objects mentioned. */
    public static final Comparator<Ranked> BETTER_FIRST = Comparator.comparingInt(Ranked::hallucinated)
            .thenComparing(Comparator.comparingInt(Ranked::covered).reversed());

    private SampleRanking() {
    }

    public static Ranked rank(String caption, Scene scene) {
        ChairMetric.CaptionScore score = ChairMetric.score(caption, scene);
        return new Ranked(caption, score.hallucinated().size(), score.recalled().size());
    }

    /**
     * The first best-ranked sample against the first worst-ranked one (sample order breaks ties between equals,
     * so the choice is deterministic), or empty when best and worst rank equal.
     */
    public static Optional<Preference> bestAgainstWorst(List<String> samples, Scene scene) {
        if (samples.size() < 2) {
            return Optional.empty();
        }
        Ranked best = null;
        Ranked worst = null;
        for (String sample : samples) {
            Ranked r = rank(sample, scene);
            if (best == null || BETTER_FIRST.compare(r, best) < 0) {
                best = r;
            }
            if (worst == null || BETTER_FIRST.compare(r, worst) > 0) {
                worst = r;
            }
        }
        return BETTER_FIRST.compare(best, worst) < 0 ? Optional.of(new Preference(best, worst)) : Optional.empty();
    }
}
