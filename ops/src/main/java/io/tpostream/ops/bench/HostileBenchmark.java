package io.tpostream.ops.bench;

import io.tpostream.ops.synthetic.FeedbackScenario;
import io.tpostream.ops.synthetic.HostileFeedback;
import io.tpostream.schema.AvroSerde;
import io.tpostream.schema.DeadLetter;
import io.tpostream.schema.PreferencePair;
import io.tpostream.schema.SchemaCatalog;
import io.tpostream.schema.Topics;
import io.tpostream.streams.PairingConfig;
import io.tpostream.streams.pairing.FeedbackTopology;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Hostile feedback through the pairing app on a real (embedded) broker with production topic settings, mixed with
 * valid feedback whose pairs are known: what became of every bad input, and whether the valid ones still paired.
 */
public final class HostileBenchmark {

    /** What became of one category's records. */
    public record Row(HostileFeedback.Category category, int tried, Map<String, Integer> deadLettered, int paired) {
        /** Neither a dead letter nor a pair: gone without a trace. */
        public int lost() {
            return tried - paired - deadLettered.values().stream().mapToInt(Integer::intValue).sum();
        }

        /** Dead letters with another reason than the category's. */
        public int misfiled() {
            String expected = category.expected().map(Enum::name).orElse("");
            return deadLettered.entrySet().stream().filter(e -> !e.getKey().equals(expected))
                    .mapToInt(Map.Entry::getValue).sum();
        }
    }

    /**
     * @param validRecords  valid feedback sent around the hostile records
     * @param expectedPairs pairs those must make, by construction
     * @param validPairs    of those, committed with exactly the expected lineage
     * @param extraPairs    committed pairs that no input should have made
     */
    public record Result(List<Row> rows, int validRecords, int expectedPairs, int validPairs, int extraPairs,
                         Duration elapsed, long deadLetters) {
        public int tried() {
            return rows.stream().mapToInt(Row::tried).sum();
        }

        public int lost() {
            return rows.stream().mapToInt(Row::lost).sum();
        }
    }

    private HostileBenchmark() {
    }

    public static Result run(int records, long seed, int maxGiganticChars, Progress progress) throws Exception {
        PairingConfig config = PairingConfig.defaults();
        // a deployment that shipped the next release's schema to its readers first
        HostileFeedback.teachNewerKindSchema(SchemaCatalog.standard());
        Topics topics = new Topics("hostile.");
        FeedbackScenario valid = new FeedbackScenario(Math.max(10, records / 20), "valid");
        try (BenchBroker kafka = new BenchBroker()) {
            kafka.createProductionTopics(topics, 3);
            List<FeedbackScenario.Input> phase1 = valid.phase(1);
            List<HostileFeedback.Hostile> hostile = new HostileFeedback("hostile", seed, config.maxTextChars(),
                    maxGiganticChars).generate(records, phase1.stream()
                    .filter(i -> !(i.fate() instanceof FeedbackScenario.Fate.Dead)).toList());
            List<FeedbackScenario.Input> phase2 = valid.phase(2);

            List<ProducerRecord<byte[], byte[]>> send = new ArrayList<>();
            phase1.forEach(i -> send.add(new ProducerRecord<>(topics.feedback(), i.key(), i.value())));
            int firstHostile = send.size();
            hostile.forEach(h -> send.add(new ProducerRecord<>(topics.feedback(), null, h.timestamp(),
                    h.input().key(), h.input().value())));
            phase2.forEach(i -> send.add(new ProducerRecord<>(topics.feedback(), i.key(), i.value())));
            List<RecordMetadata> landed = kafka.sendAll(send, progress);

            BenchBroker.Timed run = kafka.runUntilCommitted("pairing ", "hostile-pairing",
                    FeedbackTopology.build(topics, config), topics.feedback(), Duration.ofMillis(100), 1, Map.of(),
                    progress);

            Map<String, HostileFeedback.Category> hostileAt = new HashMap<>();
            Map<String, HostileFeedback.Category> hostileEvents = new HashMap<>();
            for (int i = 0; i < hostile.size(); i++) {
                RecordMetadata m = landed.get(firstHostile + i);
                HostileFeedback.Hostile h = hostile.get(i);
                hostileAt.put(m.partition() + "@" + m.offset(), h.category());
                if (h.input().fate() instanceof FeedbackScenario.Fate.PairSource p) {
                    hostileEvents.put(p.eventId(), h.category());
                }
            }
            Map<HostileFeedback.Category, Map<String, Integer>> deadLettered = new EnumMap<>(
                    HostileFeedback.Category.class);
            AvroSerde<DeadLetter> letters = AvroSerde.of(DeadLetter.class);
            List<ConsumerRecord<byte[], byte[]>> dlq = kafka.readAll(topics.deadLetters());
            for (ConsumerRecord<byte[], byte[]> r : dlq) {
                DeadLetter d = letters.decode(r.value());
                HostileFeedback.Category c = hostileAt.get(d.getSourcePartition() + "@" + d.getSourceOffset());
                if (c != null) {
                    deadLettered.computeIfAbsent(c, k -> new TreeMap<>()).merge(d.getReason(), 1, Integer::sum);
                }
            }
            Map<HostileFeedback.Category, Integer> paired = new EnumMap<>(HostileFeedback.Category.class);
            Set<List<String>> expectedValid = new HashSet<>(valid.expectedPairSources());
            int validPairs = 0;
            int extraPairs = 0;
            AvroSerde<PreferencePair> pairSerde = AvroSerde.of(PreferencePair.class);
            for (ConsumerRecord<byte[], byte[]> r : kafka.readAll(topics.pairs())) {
                List<String> sources = List.copyOf(pairSerde.decode(r.value()).getSourceEventIds());
                HostileFeedback.Category c = hostileEvents.get(sources.get(0));
                if (c != null) {
                    paired.merge(c, 1, Integer::sum);
                } else if (expectedValid.remove(sources)) {
                    validPairs++;
                } else {
                    extraPairs++;
                }
            }
            Map<HostileFeedback.Category, Integer> tried = new EnumMap<>(HostileFeedback.Category.class);
            hostile.forEach(h -> tried.merge(h.category(), 1, Integer::sum));
            List<Row> rows = new ArrayList<>();
            tried.forEach((c, n) -> rows.add(new Row(c, n, deadLettered.getOrDefault(c, Map.of()),
                    paired.getOrDefault(c, 0))));
            rows.sort(Comparator.comparing(Row::category));
            return new Result(rows, phase1.size() + phase2.size(), valid.expectedPairSources().size(), validPairs,
                    extraPairs, run.elapsed(), dlq.size());
        }
    }
}
