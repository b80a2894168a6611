package io.tpostream.streams;

import io.tpostream.schema.AvroSerde;
import io.tpostream.schema.DeadLetter;
import io.tpostream.schema.FeedbackEvent;
import io.tpostream.schema.FeedbackOutcome;
import io.tpostream.schema.PreferencePair;
import io.tpostream.schema.Topics;
import io.tpostream.streams.pairing.FeedbackTopology;
import io.tpostream.streams.pairing.PairingMetrics;
import io.tpostream.streams.pairing.PairingStores;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.stream.Stream;

/** The pairing topology in a TopologyTestDriver, with typed access to its topics, held ratings and metrics. */
public final class PairingDriver implements AutoCloseable {

    public static final Topics TOPICS = new Topics("test.");

    private final Path stateDir;
    private final TopologyTestDriver driver;
    private final TestInputTopic<byte[], byte[]> feedback;
    private final TestOutputTopic<String, PreferencePair> pairs;
    private final TestOutputTopic<String, DeadLetter> deadLetters;
    private final TestOutputTopic<String, FeedbackOutcome> outcomes;
    private final long holdMillis;
    private long offset;

    public PairingDriver(PairingConfig config) {
        this.holdMillis = config.ratingHoldMillis();
        try {
            Path target = Files.createDirectories(Path.of("target", "driver-state"));
            stateDir = Files.createTempDirectory(target, "pairing-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, "pairing-test");
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        p.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG, "true");
        driver = new TopologyTestDriver(FeedbackTopology.build(TOPICS, config), p);
        feedback = driver.createInputTopic(TOPICS.feedback(), new ByteArraySerializer(), new ByteArraySerializer());
        pairs = driver.createOutputTopic(TOPICS.pairs(), new StringDeserializer(),
                AvroSerde.of(PreferencePair.class).deserializer());
        deadLetters = driver.createOutputTopic(TOPICS.deadLetters(), new StringDeserializer(),
                AvroSerde.of(DeadLetter.class).deserializer());
        outcomes = driver.createOutputTopic(TOPICS.outcomes(), new StringDeserializer(),
                AvroSerde.of(FeedbackOutcome.class).deserializer());
    }

    /** The default configuration with in-memory stores: a driver with RocksDB stores takes ~20x longer to open. */
    public PairingDriver() {
        this(config().build());
    }

    /** A config builder preset with the defaults and in-memory stores. */
    public static PairingConfig.Builder config() {
        return PairingConfig.builder().storeType(PairingConfig.StoreType.IN_MEMORY);
    }

    /** Sends an event keyed, as producers must, by its image sha-256; returns the record's offset. */
    public long send(FeedbackEvent e, Instant recordTime) {
        return send(e.getImage().getSha256(), TestEvents.encode(e), recordTime);
    }

    public long send(TestEvents.Builder e, Instant recordTime) {
        return send(e.build(), recordTime);
    }

    public long send(String key, byte[] value, Instant recordTime) {
        return sendRaw(key == null ? null : key.getBytes(StandardCharsets.UTF_8), value, recordTime);
    }

    public long sendRaw(byte[] key, byte[] value, Instant recordTime) {
        feedback.pipeInput(key, value, recordTime);
        return offset++;
    }

    public List<PreferencePair> pairs() {
        return pairs.readValuesToList();
    }

    public List<TestRecord<String, PreferencePair>> pairRecords() {
        return pairs.readRecordsToList();
    }

    public List<DeadLetter> deadLetters() {
        return deadLetters.readValuesToList();
    }

    public List<KeyValue<String, DeadLetter>> deadLetterRecords() {
        return deadLetters.readKeyValuesToList();
    }

    /** Outcome records written since the last call. */
    public List<FeedbackOutcome> outcomes() {
        return outcomes.readValuesToList();
    }

    /** The outcome codes written since the last call, in order. */
    public List<String> outcomeCodes() {
        return outcomes().stream().map(FeedbackOutcome::getOutcome).toList();
    }

    /** A rating held now, and whether it has paired. */
    public record Held(String eventId, boolean paired) {
    }

    /** The ratings held now (not yet accounted for as expired), by event id. */
    public Map<String, Held> held() {
        Map<String, Held> out = new TreeMap<>();
        PairingStores.held(driver.<Bytes, Object>getKeyValueStore(PairingStores.KEYS),
                driver.<Bytes, Object>getWindowStore(PairingStores.HELD_RATINGS),
                driver.<String, Object>getKeyValueStore(PairingStores.PROGRESS), holdMillis)
                .forEach((id, paired) -> out.put(id, new Held(id, paired)));
        return out;
    }

    public Map<String, Long> metrics() {
        return PairingMetrics.snapshot(driver.metrics());
    }

    public TopologyTestDriver driver() {
        return driver;
    }

    @Override
    public void close() {
        driver.close();
        try (Stream<Path> files = Files.walk(stateDir)) {
            List<Path> all = new ArrayList<>(files.toList());
            all.sort(Comparator.reverseOrder());
            for (Path f : all) {
                Files.deleteIfExists(f);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
