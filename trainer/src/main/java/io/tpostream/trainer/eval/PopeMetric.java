package io.tpostream.trainer.eval;

import java.util.EnumMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * POPE (Li et al. 2023) yes/no accuracy, with "yes" as the positive class, per split and overall.
 *
 * <p>An answer counts as yes or no when it starts with that word (case and trailing punctuation aside); anything else is unparseable, which is always wrong: it is
 * neither a true nor a false positive, so it lowers accuracy, and on a "yes" question it also lowers recall.
 * A ratio with a zero denominator is reported as 0. Accumulates; not thread-safe.
 */
public final class PopeMetric {

    public enum Answer {
        YES, NO, UNPARSEABLE;

        private static final Pattern LEADING_WORD = Pattern.compile("^\\s*(yes|no)\\b", Pattern.CASE_INSENSITIVE);

        /** "yes", "Yes ." and "no , there is not" parse; "yesterday", ". yes" and "" do not. */
        public static Answer parse(String text) {
            Matcher m = LEADING_WORD.matcher(text);
            if (!m.find()) {
                return UNPARSEABLE;
            }
            return m.group(1).equalsIgnoreCase(SceneText.YES) ? YES : NO;
        }
    }

    public record Result(int truePositives, int falsePositives, int trueNegatives, int falseNegatives,
                         int unparseablePositives, int unparseableNegatives) {

        static final Result EMPTY = new Result(0, 0, 0, 0, 0, 0);

        public int total() {
            return truePositives + falsePositives + trueNegatives + falseNegatives + unparseable();
        }

        /** Unparseable answers, whatever the label. */
        public int unparseable() {
            return unparseablePositives + unparseableNegatives;
        }

        public double accuracy() {
            return ChairMetric.ratio(truePositives + trueNegatives, total());
        }

        public double precision() {
            return ChairMetric.ratio(truePositives, truePositives + falsePositives);
        }

        public double recall() {
            return ChairMetric.ratio(truePositives, truePositives + falseNegatives + unparseablePositives);
        }

        public double f1() {
            double p = precision();
            double r = recall();
            return p + r == 0 ? 0 : 2 * p * r / (p + r);
        }

        /** Share of all questions answered "yes". */
        public double yesRatio() {
            return ChairMetric.ratio(truePositives + falsePositives, total());
        }

        Result plus(Result o) {
            return new Result(truePositives + o.truePositives, falsePositives + o.falsePositives,
                    trueNegatives + o.trueNegatives, falseNegatives + o.falseNegatives,
                    unparseablePositives + o.unparseablePositives, unparseableNegatives + o.unparseableNegatives);
        }

        @Override
        public String toString() {
            return String.format("acc %.4f, precision %.4f, recall %.4f, F1 %.4f, yes %.4f, unparseable %d of %d",
                    accuracy(), precision(), recall(), f1(), yesRatio(), unparseable(), total());
        }
    }

    private final Map<PopeSplit, Result> bySplit = new EnumMap<>(PopeSplit.class);

    /** Records the model's answer to a question whose true answer is {@code labelYes}. */
    public PopeMetric add(PopeSplit split, boolean labelYes, String answer) {
        Answer a = Answer.parse(answer);
        Result one = switch (a) {
            case YES -> labelYes ? new Result(1, 0, 0, 0, 0, 0) : new Result(0, 1, 0, 0, 0, 0);
            case NO -> labelYes ? new Result(0, 0, 0, 1, 0, 0) : new Result(0, 0, 1, 0, 0, 0);
            case UNPARSEABLE -> labelYes ? new Result(0, 0, 0, 0, 1, 0) : new Result(0, 0, 0, 0, 0, 1);
        };
        bySplit.merge(split, one, Result::plus);
        return this;
    }

    public PopeMetric add(PopeProbe probe, String answer) {
        return add(probe.split(), probe.labelYes(), answer);
    }

    /** Every split that has at least one answer. */
    public Map<PopeSplit, Result> bySplit() {
        return new EnumMap<>(bySplit);
    }

    public Result split(PopeSplit split) {
        return bySplit.getOrDefault(split, Result.EMPTY);
    }

    public Result overall() {
        return bySplit.values().stream().reduce(Result.EMPTY, Result::plus);
    }
}
