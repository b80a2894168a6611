package io.tpostream.trainer.eval;

import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Classifies response tokens by {@link TokenCategory} and averages a per-token score (e.g. the visual-anchored
 * score s of TPO) per category, to show whether object and attribute tokens are more image-dependent than the
 * others. Accumulates; not thread-safe.
 */
public final class TokenCategories {

    /** Count and mean of the scores of one category; the mean is NaN when nothing was added. */
    public record Mean(long count, double sum) {
        public double mean() {
            return count == 0 ? Double.NaN : sum / count;
        }
    }

    private final long[] counts = new long[TokenCategory.values().length];
    private final double[] sums = new double[TokenCategory.values().length];

    /** Tokens compare without case and surrounding whitespace, as the lower-casing tokenizer sees them. */
    public static TokenCategory categoryOf(String token) {
        String word = token.strip().toLowerCase(Locale.ROOT);
        if (Shape.fromWord(word).isPresent()) {
            return TokenCategory.OBJECT;
        }
        if (Colour.fromWord(word).isPresent()) {
            return TokenCategory.ATTRIBUTE;
        }
        return TokenCategory.OTHER;
    }

    public TokenCategories add(String token, double score) {
        int c = categoryOf(token).ordinal();
        counts[c]++;
        sums[c] += score;
        return this;
    }

    /** Adds tokens[i] with scores[i]. */
    public TokenCategories addAll(String[] tokens, double[] scores) {
        requireSameLength(tokens.length, scores.length);
        for (int i = 0; i < tokens.length; i++) {
            add(tokens[i], scores[i]);
        }
        return this;
    }

    public TokenCategories addAll(String[] tokens, float[] scores) {
        requireSameLength(tokens.length, scores.length);
        for (int i = 0; i < tokens.length; i++) {
            add(tokens[i], scores[i]);
        }
        return this;
    }

    public TokenCategories addAll(List<String> tokens, List<? extends Number> scores) {
        requireSameLength(tokens.size(), scores.size());
        for (int i = 0; i < tokens.size(); i++) {
            add(tokens.get(i), scores.get(i).doubleValue());
        }
        return this;
    }

    public Mean of(TokenCategory category) {
        return new Mean(counts[category.ordinal()], sums[category.ordinal()]);
    }

    /** All three categories, empty ones included. */
    public Map<TokenCategory, Mean> means() {
        Map<TokenCategory, Mean> out = new EnumMap<>(TokenCategory.class);
        for (TokenCategory c : TokenCategory.values()) {
            out.put(c, of(c));
        }
        return out;
    }

    private static void requireSameLength(int tokens, int scores) {
        if (tokens != scores) {
            throw new IllegalArgumentException(tokens + " tokens but " + scores + " scores");
        }
    }
}
