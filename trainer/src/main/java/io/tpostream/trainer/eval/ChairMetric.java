package io.tpostream.trainer.eval;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * CHAIR (Rohrbach et al. 2018) over captions of scenes with known objects. A mention is hallucinated when its
 * (colour, shape) is not in the scene.
 *
 * <ul>
 *   <li>CHAIR_i = hallucinated mentions / all mentions</li>
 *   <li>CHAIR_s = captions with at least one hallucinated mention / all captions</li>
 *   <li>recall = distinct true objects mentioned / true objects</li>
 *   <li>mean mentions = mentions / captions</li>
 * </ul>
 * A ratio with a zero denominator is reported as 0, so results always serialise as numbers.
 *
 * <p>Accumulates caption by caption; not thread-safe.
 */
public final class ChairMetric {

    /** How one caption fares against its scene. */
    public record CaptionScore(List<ObjectKind> mentions, List<ObjectKind> hallucinated, Set<ObjectKind> recalled,
                               Set<ObjectKind> missed) {
        public boolean hallucinates() {
            return !hallucinated.isEmpty();
        }
    }

    public record Result(int captions, int mentions, int hallucinatedMentions, int hallucinatingCaptions,
                         int trueObjects, int recalledObjects) {
        public double chairI() {
            return ratio(hallucinatedMentions, mentions);
        }

        public double chairS() {
            return ratio(hallucinatingCaptions, captions);
        }

        public double recall() {
            return ratio(recalledObjects, trueObjects);
        }

        public double meanMentions() {
            return ratio(mentions, captions);
        }

        @Override
        public String toString() {
            return String.format("CHAIR_i %.4f, CHAIR_s %.4f, recall %.4f, mentions/caption %.2f over %d captions",
                    chairI(), chairS(), recall(), meanMentions(), captions);
        }
    }

    private int captions;
    private int mentions;
    private int hallucinatedMentions;
    private int hallucinatingCaptions;
    private int trueObjects;
    private int recalledObjects;

    public static CaptionScore score(String caption, Collection<ObjectKind> truth) {
        List<ObjectKind> mentions = CaptionParser.objects(caption);
        List<ObjectKind> hallucinated = new ArrayList<>();
        Set<ObjectKind> recalled = new LinkedHashSet<>();
        for (ObjectKind k : mentions) {
            if (truth.contains(k)) {
                recalled.add(k);
            } else {
                hallucinated.add(k);
            }
        }
        Set<ObjectKind> missed = new LinkedHashSet<>(truth);
        missed.removeAll(recalled);
        return new CaptionScore(List.copyOf(mentions), List.copyOf(hallucinated), Set.copyOf(recalled),
                Set.copyOf(missed));
    }

    public static CaptionScore score(String caption, Scene scene) {
        return score(caption, scene.kinds());
    }

    public ChairMetric add(String caption, Collection<ObjectKind> truth) {
        CaptionScore s = score(caption, truth);
        captions++;
        mentions += s.mentions().size();
        hallucinatedMentions += s.hallucinated().size();
        hallucinatingCaptions += s.hallucinates() ? 1 : 0;
        trueObjects += new LinkedHashSet<>(truth).size();
        recalledObjects += s.recalled().size();
        return this;
    }

    public ChairMetric add(String caption, Scene scene) {
        return add(caption, scene.kinds());
    }

    public Result result() {
        return new Result(captions, mentions, hallucinatedMentions, hallucinatingCaptions, trueObjects,
                recalledObjects);
    }

    static double ratio(int numerator, int denominator) {
        return denominator == 0 ? 0 : (double) numerator / denominator;
    }
}
