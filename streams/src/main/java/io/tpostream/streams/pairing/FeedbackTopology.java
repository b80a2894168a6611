package io.tpostream.streams.pairing;

import io.tpostream.schema.AvroSerde;
import io.tpostream.schema.DeadLetter;
import io.tpostream.schema.FeedbackOutcome;
import io.tpostream.schema.PreferencePair;
import io.tpostream.schema.Topics;
import io.tpostream.streams.PairingConfig;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.Topology;

/**
 * The feedback to preference-pair topology:
 * <pre>
 *   feedback (bytes) -> validate -> deduplicate -> pair -> pairs
 *                          |             |          |  \
 *                          +-------------+----------+   +--> outcomes (expired unpaired, repeated pair)
 *                                        |
 *                                        +--> dead letters (bad input, over the cap)
 * </pre>
 * One sub-topology, no repartition: producers key feedback by image sha-256, so everything about one image
 * (duplicates of an event, all ratings of an (image, prompt) key) meets in one task. Values are read as raw
 * bytes and decoded inside {@code validate}, so an unreadable record becomes a dead letter with its bytes and
 * position instead of a deserialization error.
 */
public final class FeedbackTopology {

    public static final String SOURCE = "feedback-source";
    public static final String VALIDATE = "validate";
    public static final String DEDUPLICATE = "deduplicate";
    public static final String PAIR = "pair";
    public static final String PAIRS_SINK = "pairs-sink";
    public static final String DEAD_LETTER_SINK = "dead-letters-sink";
    public static final String OUTCOMES_SINK = "outcomes-sink";

    private FeedbackTopology() {
    }

    /** Builds the topology; pure (no I/O, no configuration loading). */
    public static Topology build(Topics topics, PairingConfig config) {
        Topology t = new Topology();
        t.addSource(SOURCE, Serdes.ByteArray().deserializer(), Serdes.ByteArray().deserializer(), topics.feedback());
        t.addProcessor(VALIDATE, () -> new ValidateProcessor(config, DEDUPLICATE, DEAD_LETTER_SINK), SOURCE);
        t.addProcessor(DEDUPLICATE, () -> new DeduplicateProcessor(config, PAIR, DEAD_LETTER_SINK), VALIDATE);
        t.addProcessor(PAIR, () -> new PairingProcessor(config, topics.feedback(), PAIRS_SINK, DEAD_LETTER_SINK,
                OUTCOMES_SINK), DEDUPLICATE);
        t.addStateStore(PairingStores.seenEvents(config), DEDUPLICATE);
        t.addStateStore(PairingStores.keys(config), PAIR);
        t.addStateStore(PairingStores.heldRatings(config), PAIR);
        t.addStateStore(PairingStores.emittedPairs(config), PAIR);
        t.addStateStore(PairingStores.progress(config), PAIR);
        t.addSink(PAIRS_SINK, topics.pairs(), Serdes.String().serializer(),
                AvroSerde.of(PreferencePair.class).serializer(), PAIR);
        t.addSink(DEAD_LETTER_SINK, topics.deadLetters(), Serdes.String().serializer(),
                AvroSerde.of(DeadLetter.class).serializer(), VALIDATE, DEDUPLICATE, PAIR);
        t.addSink(OUTCOMES_SINK, topics.outcomes(), Serdes.String().serializer(),
                AvroSerde.of(FeedbackOutcome.class).serializer(), PAIR);
        return t;
    }
}
