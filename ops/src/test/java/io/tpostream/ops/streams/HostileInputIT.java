package io.tpostream.ops.streams;

import io.tpostream.ops.broker.EmbeddedKafkaBroker;
import io.tpostream.ops.kafka.ClientSettings;
import io.tpostream.ops.synthetic.FeedbackScenario;
import io.tpostream.ops.synthetic.HostileFeedback;
import io.tpostream.ops.testing.Kafka;
import io.tpostream.ops.testing.Reconciliation;
import io.tpostream.ops.testing.ScenarioTopics;
import io.tpostream.ops.testing.SharedBroker;
import io.tpostream.schema.DeadLetter;
import io.tpostream.schema.PreferencePair;
import io.tpostream.schema.SchemaCatalog;
import io.tpostream.schema.Topics;
import io.tpostream.streams.PairingApp;
import io.tpostream.streams.PairingConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Hostile feedback through the real pairing app on the real broker: 2 x 10,000 records of every kind of damage
 * (HostileFeedback) mixed with a scenario of valid feedback. Nothing crashes; every hostile record becomes exactly one
 * dead letter with its category's reason (or, for absurd producer timestamps, a normal pair); the valid records pair
 * exactly as the scenario says they do on their own; and the second round leaves the heap where the first left it.
 */
@ExtendWith(SharedBroker.class)
class HostileInputIT {

    private static final int HOSTILE_PER_ROUND = 10_000;
    /** Far over the 4096-char limit, and small enough that two rounds stay quick. */
    private static final int MAX_GIGANTIC_CHARS = 150_000;
    /** A leak of hostile payloads would keep about 20 MB per round (the gigantic strings alone). */
    private static final long MAX_HEAP_GROWTH = 12L << 20;
    /** What a category that must be processed normally becomes. */
    private static final String PAIR = "(a pair)";

    @TempDir
    Path stateDir;

    @Test
    void hostileRecordsBecomeTheRightDeadLettersAndTheValidOnesStillPair(EmbeddedKafkaBroker broker) throws Exception {
        HostileFeedback.teachNewerKindSchema(SchemaCatalog.standard());
        String bootstrap = broker.bootstrapServers();
        Topics topics = new Topics("hostile.");
        List<String> outputs = ScenarioTopics.outputs(topics);
        ScenarioTopics.create(bootstrap, topics, 3);
        List<Kafka.Sent<FeedbackScenario.Input>> sent = new ArrayList<>();
        List<List<String>> expectedPairs = new ArrayList<>();
        Map<String, HostileFeedback.Category> hostileAt = new HashMap<>();
        Map<String, HostileFeedback.Category> hostilePairSources = new HashMap<>();
        long[] heapAfterRound = new long[2];
        PairingConfig config = PairingConfig.defaults();
        try (PairingApp app = new PairingApp(topics, config, ClientSettings.of(bootstrap)
                .streamsSettings("hostile-pairing", stateDir).withCommitInterval(Duration.ofMillis(200)))) {
            app.start();
            app.awaitRunning(Kafka.DEADLINE);
            for (int round = 0; round < 2; round++) {
                sendRound(round, bootstrap, topics, config, sent, expectedPairs, hostileAt, hostilePairSources);
                Kafka.awaitCaughtUp(bootstrap, "hostile-pairing", topics.feedback());
                Kafka.awaitNoOpenTransactions(bootstrap, outputs);
                assertTrue(!app.isDead() && app.failure().isEmpty(), "the app must survive: " + app.state());
                heapAfterRound[round] = heapAfterGc();
            }
        }
        ScenarioTopics.Committed output = ScenarioTopics.read(bootstrap, topics);
        List<PreferencePair> pairs = output.pairs();
        List<DeadLetter> deadLetters = output.deadLetters();

        // per category first, for a readable failure: what each kind of damage turned into
        Map<HostileFeedback.Category, Map<String, Integer>> expected = new EnumMap<>(HostileFeedback.Category.class);
        hostileAt.values().forEach(c -> expected.computeIfAbsent(c, k -> new TreeMap<>())
                .merge(c.expected().map(Enum::name).orElse(PAIR), 1, Integer::sum));
        Map<HostileFeedback.Category, Map<String, Integer>> actual = new EnumMap<>(HostileFeedback.Category.class);
        for (DeadLetter d : deadLetters) {
            HostileFeedback.Category c = hostileAt.get(d.getSourcePartition() + "@" + d.getSourceOffset());
            if (c != null) {
                actual.computeIfAbsent(c, k -> new TreeMap<>()).merge(d.getReason(), 1, Integer::sum);
            }
        }
        for (PreferencePair p : pairs) {
            HostileFeedback.Category c = hostilePairSources.get(p.getSourceEventIds().get(0));
            if (c != null) {
                actual.computeIfAbsent(c, k -> new TreeMap<>()).merge(PAIR, 1, Integer::sum);
            }
        }
        assertEquals(expected, actual, "what each hostile category became");

        // then everything, record by record: valid pairs exact, each input accounted for once
        Reconciliation.assertExact(expectedPairs, sent, pairs, deadLetters, output.outcomes());

        long growth = heapAfterRound[1] - heapAfterRound[0];
        assertTrue(growth < MAX_HEAP_GROWTH, "heap after GC grew by " + (growth >> 20) + " MiB from round 1 ("
                + (heapAfterRound[0] >> 20) + " MiB) to round 2 (" + (heapAfterRound[1] >> 20) + " MiB)");
        System.out.printf("heap after GC: %d MiB after round 1, %d MiB after round 2%n", heapAfterRound[0] >> 20,
                heapAfterRound[1] >> 20);
    }

    /**
     * Sends one round (valid phase 1, hostile records, valid phase 2) and keeps only where each record landed and
     * what must become of it: the payloads are left to the garbage collector, so that the heap measures the app.
     */
    private static void sendRound(int round, String bootstrap, Topics topics, PairingConfig config,
                                  List<Kafka.Sent<FeedbackScenario.Input>> sent, List<List<String>> expectedPairs,
                                  Map<String, HostileFeedback.Category> hostileAt,
                                  Map<String, HostileFeedback.Category> hostilePairSources) throws Exception {
        FeedbackScenario valid = new FeedbackScenario(300, "valid" + round);
        List<FeedbackScenario.Input> phase1 = valid.phase(1);
        ScenarioTopics.send(bootstrap, topics, phase1)
                .forEach(s -> sent.add(slim(s.input(), s.partition(), s.offset())));
        List<HostileFeedback.Hostile> hostile = new HostileFeedback("hostile" + round, round, config.maxTextChars(),
                MAX_GIGANTIC_CHARS).generate(HOSTILE_PER_ROUND, phase1.stream()
                .filter(i -> !(i.fate() instanceof FeedbackScenario.Fate.Dead)).toList());
        for (Kafka.Sent<HostileFeedback.Hostile> h : sendHostile(bootstrap, topics, hostile)) {
            sent.add(slim(h.input().input(), h.partition(), h.offset()));
            hostileAt.put(h.partition() + "@" + h.offset(), h.input().category());
            if (h.input().input().fate() instanceof FeedbackScenario.Fate.PairSource p) {
                expectedPairs.add(List.of(p.eventId()));
                hostilePairSources.put(p.eventId(), h.input().category());
            }
        }
        ScenarioTopics.send(bootstrap, topics, valid.phase(2))
                .forEach(s -> sent.add(slim(s.input(), s.partition(), s.offset())));
        expectedPairs.addAll(valid.expectedPairSources());
    }

    private static Kafka.Sent<FeedbackScenario.Input> slim(FeedbackScenario.Input input, int partition, long offset) {
        return new Kafka.Sent<>(new FeedbackScenario.Input(null, null, input.fate()), partition, offset);
    }

    /** Used heap after full collections: the least of three, so that a collection racing allocations is ignored. */
    private static long heapAfterGc() {
        long least = Long.MAX_VALUE;
        for (int i = 0; i < 3; i++) {
            System.gc();
            least = Math.min(least, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
        }
        return least;
    }


    /** Sends with the producer timestamps the hostile records ask for. */
    private static List<Kafka.Sent<HostileFeedback.Hostile>> sendHostile(String bootstrap, Topics topics,
                                                                        List<HostileFeedback.Hostile> hostile)
            throws Exception {
        Properties p = ClientSettings.of(bootstrap).producer();
        p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(),
                new ByteArraySerializer())) {
            List<Future<RecordMetadata>> acks = new ArrayList<>();
            for (HostileFeedback.Hostile h : hostile) {
                acks.add(producer.send(new ProducerRecord<>(topics.feedback(), null, h.timestamp(), h.input().key(),
                        h.input().value())));
            }
            List<Kafka.Sent<HostileFeedback.Hostile>> sent = new ArrayList<>();
            for (int i = 0; i < hostile.size(); i++) {
                RecordMetadata m = acks.get(i).get(Kafka.DEADLINE.toSeconds(), TimeUnit.SECONDS);
                sent.add(new Kafka.Sent<>(hostile.get(i), m.partition(), m.offset()));
            }
            return sent;
        }
    }
}
