package io.tpostream.ops.kafka;

import io.tpostream.schema.Topics;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the system's topics should look like. Pure: no cluster access.
 *
 * <p>Partitions: feedback, pairs, dead letters and outcomes carry the traffic and scale with the streams application
 * (one task per partition, keyed by image or event), so their count is a setting (default
 * {@value #DEFAULT_PARTITIONS}). model-versions has one partition: a few records per hour, and the
 * subscriber's rule "the latest PASSED record per model is current" needs one total order of versions.
 * token-rewards has one partition: it is the audit trail of a single transactional writer per model, read back
 * in training order; its rate (one record per trained pair) is far below what one partition takes.
 *
 * <p>Retention: feedback and pairs are kept forever because they are the audit source (a replay re-reads
 * exact offset windows of pairs); model-versions is never deleted and NOT compacted, since the history of
 * rejected and superseded versions is the lineage; token-rewards is kept forever with the versions it
 * explains; dead letters are kept {@value #DEAD_LETTER_RETENTION_DAYS} days, long enough to fix and replay.
 *
 * <p>Timestamps: feedback records get the broker's append time ({@value #LOG_APPEND_TIME}), whatever the producer
 * sets. The pairing app runs on stream time, the largest record timestamp it has seen: with producer-chosen
 * timestamps, one record stamped 59 minutes ahead (the broker's default tolerance is an hour) would expire every
 * held rating and make every later partner "late"; one stamped in 1970 would be refused as stale however fresh its
 * event. The append time is stored with the record, so a replay still sees the same times.
 */
public final class TopicPlanner {

    public static final int DEFAULT_PARTITIONS = 3;
    public static final int DEAD_LETTER_RETENTION_DAYS = 30;
    /** Largest feedback record batch the broker accepts (Kafka's usual 1 MiB). */
    public static final int FEEDBACK_MAX_MESSAGE_BYTES = 1 << 20;
    /** Pairs and dead letters embed a whole feedback event, image included: they get twice the room. */
    public static final int DERIVED_MAX_MESSAGE_BYTES = 2 << 20;

    private static final String FOREVER = "-1";
    public static final String TIMESTAMP_TYPE = "message.timestamp.type";
    public static final String LOG_APPEND_TIME = "LogAppendTime";

    private TopicPlanner() {
    }

    /**
     * @param partitions        partitions of feedback, pairs and dead letters
     * @param replicationFactor empty: the cluster's default
     */
    public static List<TopicSpec> plan(Topics topics, int partitions, Optional<Short> replicationFactor) {
        return List.of(
                new TopicSpec(topics.feedback(), partitions, replicationFactor,
                        brokerTimed(kept(FOREVER, FEEDBACK_MAX_MESSAGE_BYTES))),
                new TopicSpec(topics.deadLetters(), partitions, replicationFactor,
                        kept(String.valueOf(Duration.ofDays(DEAD_LETTER_RETENTION_DAYS).toMillis()),
                                DERIVED_MAX_MESSAGE_BYTES)),
                // as long as the dead letters: the two together account for every record that made no pair
                new TopicSpec(topics.outcomes(), partitions, replicationFactor,
                        kept(String.valueOf(Duration.ofDays(DEAD_LETTER_RETENTION_DAYS).toMillis()), null)),
                new TopicSpec(topics.pairs(), partitions, replicationFactor,
                        kept(FOREVER, DERIVED_MAX_MESSAGE_BYTES)),
                new TopicSpec(topics.modelVersions(), 1, replicationFactor, kept(FOREVER, null)),
                new TopicSpec(topics.tokenRewards(), 1, replicationFactor, kept(FOREVER, null)));
    }

    public static List<TopicSpec> plan(Topics topics) {
        return plan(topics, DEFAULT_PARTITIONS, Optional.empty());
    }

    private static Map<String, String> brokerTimed(Map<String, String> configs) {
        configs.put(TIMESTAMP_TYPE, LOG_APPEND_TIME);
        return configs;
    }

    /** Delete (never compact) after an explicit time, with no size limit. */
    private static Map<String, String> kept(String retentionMs, Integer maxMessageBytes) {
        Map<String, String> configs = new HashMap<>();
        configs.put("cleanup.policy", "delete");
        configs.put("retention.ms", retentionMs);
        configs.put("retention.bytes", "-1");
        if (maxMessageBytes != null) {
            configs.put("max.message.bytes", String.valueOf(maxMessageBytes));
        }
        return configs;
    }
}
