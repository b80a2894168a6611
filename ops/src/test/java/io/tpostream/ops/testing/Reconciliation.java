package io.tpostream.ops.testing;

import io.tpostream.ops.synthetic.FeedbackScenario;
import io.tpostream.schema.AvroSerde;
import io.tpostream.schema.DeadLetter;
import io.tpostream.schema.FeedbackOutcome;
import io.tpostream.schema.PreferencePair;
import io.tpostream.streams.RejectReason;
import org.apache.kafka.clients.consumer.ConsumerRecord;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Exact accounting of a {@link FeedbackScenario} run against what the pairing app committed: no pair twice, every
 * input record accounted for exactly once (a pair source, one dead letter with the right reason, one outcome with
 * the right code, or held): in = pair sources + dead letters + held + outcomes.
 */
public final class Reconciliation {

    private static final AvroSerde<PreferencePair> PAIRS = AvroSerde.of(PreferencePair.class);
    private static final AvroSerde<DeadLetter> DEAD_LETTERS = AvroSerde.of(DeadLetter.class);
    private static final AvroSerde<FeedbackOutcome> OUTCOMES = AvroSerde.of(FeedbackOutcome.class);

    private Reconciliation() {
    }

    public static List<PreferencePair> pairs(List<ConsumerRecord<byte[], byte[]>> records) {
        return records.stream().map(r -> PAIRS.decode(r.value())).toList();
    }

    public static List<DeadLetter> deadLetters(List<ConsumerRecord<byte[], byte[]>> records) {
        return records.stream().map(r -> DEAD_LETTERS.decode(r.value())).toList();
    }

    public static List<FeedbackOutcome> outcomes(List<ConsumerRecord<byte[], byte[]>> records) {
        return records.stream().map(r -> OUTCOMES.decode(r.value())).toList();
    }

    /**
     * @param sent      every record the test sent to the feedback topic, with where it landed
     * @param committed everything the app committed
     */
    public static void assertExact(FeedbackScenario scenario, List<Kafka.Sent<FeedbackScenario.Input>> sent,
                                   ScenarioTopics.Committed committed) {
        assertExact(scenario, sent, committed.pairs(), committed.deadLetters(), committed.outcomes());
    }

    /**
     * @param sent        every record the test sent to the feedback topic, with where it landed
     * @param pairs       every committed pair
     * @param deadLetters every committed dead letter
     * @param outcomes    every committed outcome record
     */
    public static void assertExact(FeedbackScenario scenario, List<Kafka.Sent<FeedbackScenario.Input>> sent,
                                   List<PreferencePair> pairs, List<DeadLetter> deadLetters,
                                   List<FeedbackOutcome> outcomes) {
        assertExact(scenario.expectedPairSources(), sent, pairs, deadLetters, outcomes);
        assertEquals(scenario.expectedPairIds(), new TreeSet<>(pairs.stream().map(PreferencePair::getPairId).toList()),
                "pair ids");
    }

    /**
     * @param expectedPairSources the source event ids of every pair that must be committed, each list as the pair
     *                            carries it
     */
    public static void assertExact(List<List<String>> expectedPairSources,
                                   List<Kafka.Sent<FeedbackScenario.Input>> sent, List<PreferencePair> pairs,
                                   List<DeadLetter> deadLetters, List<FeedbackOutcome> outcomes) {
        // pairs: each pair id once, and exactly the expected lineage
        Set<String> pairIds = new HashSet<>();
        for (PreferencePair p : pairs) {
            assertTrue(pairIds.add(p.getPairId()), "pair " + p.getPairId() + " committed twice");
        }
        Comparator<List<String>> byText = Comparator.comparing(Object::toString);
        List<List<String>> expectedSources = new ArrayList<>(expectedPairSources);
        expectedSources.sort(byText);
        List<List<String>> actualSources = new ArrayList<>(pairs.stream()
                .map(p -> List.copyOf(p.getSourceEventIds())).toList());
        actualSources.sort(byText);
        assertEquals(expectedSources.size(), actualSources.size(), "number of pairs");
        assertEquals(expectedSources, actualSources, "pair lineage");

        // dead letters: one per refused input record, found by where it was read from
        Map<String, String> actualReasons = new TreeMap<>();
        for (DeadLetter d : deadLetters) {
            String at = d.getSourcePartition() + "@" + d.getSourceOffset();
            assertTrue(actualReasons.put(at, d.getReason()) == null, "two dead letters for input " + at);
        }
        // outcomes: one per valid record that ended without a pair of its own, found by where it was read from
        Map<String, String> actualOutcomes = new TreeMap<>();
        for (FeedbackOutcome o : outcomes) {
            String at = o.getSourcePartition() + "@" + o.getSourceOffset();
            assertTrue(actualOutcomes.put(at, o.getOutcome()) == null, "two outcomes for input " + at);
            assertTrue(!actualReasons.containsKey(at), "input " + at + " is both a dead letter and an outcome");
        }
        Map<String, String> expectedOutcomes = new TreeMap<>();
        Map<String, String> expectedReasons = new TreeMap<>();
        Set<String> pairSources = new HashSet<>();
        Set<String> held = new HashSet<>();
        Map<Class<?>, Integer> fates = new HashMap<>();
        for (Kafka.Sent<FeedbackScenario.Input> s : sent) {
            FeedbackScenario.Fate fate = s.input().fate();
            fates.merge(fate.getClass(), 1, Integer::sum);
            if (fate instanceof FeedbackScenario.Fate.Dead dead) {
                expectedReasons.put(s.partition() + "@" + s.offset(), dead.reason().name());
            } else if (fate instanceof FeedbackScenario.Fate.PairSource source) {
                pairSources.add(source.eventId());
            } else if (fate instanceof FeedbackScenario.Fate.Held h) {
                held.add(h.eventId());
            } else if (fate instanceof FeedbackScenario.Fate.Ended e) {
                expectedOutcomes.put(s.partition() + "@" + s.offset(), e.outcome().name());
            }
        }
        assertEquals(expectedOutcomes, actualOutcomes, "outcomes by input position");
        assertEquals(expectedReasons.size(), deadLetters.size(), "number of dead letters");
        assertEquals(expectedReasons, actualReasons, "dead letters by input position");

        // the three fates partition the input: every record is in exactly one of them
        Set<String> sourcesSeen = new HashSet<>();
        pairs.forEach(p -> sourcesSeen.addAll(p.getSourceEventIds()));
        assertEquals(pairSources, sourcesSeen, "pair sources");
        Set<String> deadIds = new HashSet<>();
        deadLetters.forEach(d -> {
            if (d.getEventId() != null && !RejectReason.DUPLICATE_EVENT.name().equals(d.getReason())) {
                deadIds.add(d.getEventId());
            }
        });
        Set<String> outcomeIds = new HashSet<>();
        outcomes.forEach(o -> outcomeIds.add(o.getEventId()));
        for (String h : held) {
            assertTrue(!sourcesSeen.contains(h) && !deadIds.contains(h) && !outcomeIds.contains(h),
                    "held rating " + h + " left a trace");
        }
        assertEquals(sent.size(), fates.values().stream().mapToInt(Integer::intValue).sum());
        assertEquals(sent.size(), pairSources.size() + deadLetters.size() + held.size() + outcomes.size(),
                "in = pair sources + dead letters + held + outcomes");
    }
}
