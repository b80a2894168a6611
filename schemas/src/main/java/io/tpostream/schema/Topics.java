package io.tpostream.schema;

import java.util.List;
import java.util.Objects;

/**
 * The topic names of one deployment. Every client derives its names from the same prefix, so several
 * deployments (or test runs) can share one cluster without seeing each other's records.
 */
public record Topics(String prefix) {

    public static final String DEFAULT_PREFIX = "tpo.";

    public Topics {
        Objects.requireNonNull(prefix, "prefix");
    }

    public static Topics defaults() {
        return new Topics(DEFAULT_PREFIX);
    }

    /** Feedback events from serving applications; long retention, since it is the audit source. */
    public String feedback() {
        return prefix + "feedback";
    }

    /** Bad input: every record the pairing app refused, with a reason code, its raw bytes and its source offset. */
    public String deadLetters() {
        return prefix + "feedback.dlq";
    }

    /**
     * Valid records that ended without a pair of their own as the rules intend (a rating that expired unpaired, a
     * repeated pair): one small record each, so that the accounting stays exact without filling the dead letters.
     */
    public String outcomes() {
        return prefix + "feedback.outcomes";
    }

    /** Preference pairs, produced exactly once by the streams application. */
    public String pairs() {
        return prefix + "pairs";
    }

    /** Model versions, never deleted: the latest PASSED record per model is its current version. */
    public String modelVersions() {
        return prefix + "model-versions";
    }

    /** Per-token audit trace of what each trained pair was worth. */
    public String tokenRewards() {
        return prefix + "token-rewards";
    }

    public List<String> all() {
        return List.of(feedback(), deadLetters(), outcomes(), pairs(), modelVersions(), tokenRewards());
    }

    /**
     * Resolves a short name as users type it on the command line ({@code pairs}, {@code dlq}, ...) or a full
     * topic name.
     */
    public String resolve(String shortOrFullName) {
        return switch (shortOrFullName) {
            case "feedback" -> feedback();
            case "dlq", "dead-letters", "feedback.dlq" -> deadLetters();
            case "outcomes", "feedback.outcomes" -> outcomes();
            case "pairs" -> pairs();
            case "model-versions", "versions" -> modelVersions();
            case "token-rewards", "rewards" -> tokenRewards();
            default -> {
                if (all().contains(shortOrFullName)) {
                    yield shortOrFullName;
                }
                throw new IllegalArgumentException("unknown topic '" + shortOrFullName
                        + "': use one of feedback, dlq, outcomes, pairs, model-versions, token-rewards");
            }
        };
    }
}
