package io.tpostream.ops.kafka;

import io.tpostream.schema.DeadLetter;
import io.tpostream.schema.FeedbackEvent;
import io.tpostream.schema.FeedbackOutcome;
import io.tpostream.schema.ModelVersion;
import io.tpostream.schema.PreferencePair;
import io.tpostream.schema.TokenRewardTrace;
import io.tpostream.schema.Topics;
import org.apache.avro.specific.SpecificRecord;

import java.util.function.Function;

/** The system's topics: what each is called under a prefix and which record type its values are. */
public enum SystemTopic {
    FEEDBACK("feedback", FeedbackEvent.class, Topics::feedback),
    DEAD_LETTERS("dlq", DeadLetter.class, Topics::deadLetters),
    OUTCOMES("outcomes", FeedbackOutcome.class, Topics::outcomes),
    PAIRS("pairs", PreferencePair.class, Topics::pairs),
    MODEL_VERSIONS("model-versions", ModelVersion.class, Topics::modelVersions),
    TOKEN_REWARDS("token-rewards", TokenRewardTrace.class, Topics::tokenRewards);

    private final String shortName;
    private final Class<? extends SpecificRecord> recordType;
    private final Function<Topics, String> naming;

    SystemTopic(String shortName, Class<? extends SpecificRecord> recordType, Function<Topics, String> naming) {
        this.shortName = shortName;
        this.recordType = recordType;
        this.naming = naming;
    }

    /** The name users type on the command line, e.g. {@code dlq}. */
    public String shortName() {
        return shortName;
    }

    /** The Avro record class of the topic's values. */
    public Class<? extends SpecificRecord> recordType() {
        return recordType;
    }

    /** The full topic name under the given prefix. */
    public String topicName(Topics topics) {
        return naming.apply(topics);
    }

    /**
     * The topic a user means by a short name ({@code pairs}, {@code dlq}, ...) or a full name.
     *
     * @throws IllegalArgumentException naming the accepted names
     */
    public static SystemTopic of(Topics topics, String shortOrFullName) {
        String full = topics.resolve(shortOrFullName);
        for (SystemTopic t : values()) {
            if (t.topicName(topics).equals(full)) {
                return t;
            }
        }
        throw new IllegalStateException("Topics.resolve gave a name no SystemTopic has: " + full);
    }
}
