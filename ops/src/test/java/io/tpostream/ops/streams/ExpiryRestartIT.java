package io.tpostream.ops.streams;

import io.tpostream.ops.broker.EmbeddedKafkaBroker;
import io.tpostream.ops.kafka.ClientSettings;
import io.tpostream.ops.synthetic.FeedbackScenario;
import io.tpostream.ops.synthetic.SyntheticEvents;
import io.tpostream.ops.testing.Await;
import io.tpostream.ops.testing.Kafka;
import io.tpostream.ops.testing.ScenarioTopics;
import io.tpostream.ops.testing.SharedBroker;
import io.tpostream.schema.AvroSerde;
import io.tpostream.schema.FeedbackEvent;
import io.tpostream.schema.FeedbackOutcome;
import io.tpostream.schema.PreferencePair;
import io.tpostream.schema.Topics;
import io.tpostream.streams.PairingApp;
import io.tpostream.streams.PairingConfig;
import io.tpostream.streams.pairing.PairingMetrics;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Expiry costs no writes: an expired rating stays in its key's value until the key is written again, and only the
 * stream time up to which expiries were reported is stored. Proven here across a restart from the changelogs alone
 * (a new state directory, as after a crash under exactly-once): ratings reported before the restart are not reported
 * again, ratings held across it are reported once, after it. One partition, and a rating window of two seconds of
 * the broker's append time.
 */
@ExtendWith(SharedBroker.class)
class ExpiryRestartIT {

    private static final String APPLICATION_ID = "expiry-restart-pairing";
    private static final PairingConfig CONFIG = PairingConfig.builder().ratingWindow(Duration.ofSeconds(2))
            .grace(Duration.ZERO).build();
    private static final AvroSerde<FeedbackEvent> SERDE = AvroSerde.of(FeedbackEvent.class);

    @TempDir
    Path stateDir;

    @Test
    void eachExpiredRatingIsReportedOnceAcrossARestoreFromTheChangelogs(EmbeddedKafkaBroker broker) throws Exception {
        String bootstrap = broker.bootstrapServers();
        Topics topics = new Topics("expiry.");
        ScenarioTopics.create(bootstrap, topics, 1);

        try (PairingApp first = app(bootstrap, topics, "first")) {
            first.start();
            first.awaitRunning(Kafka.DEADLINE);
            send(bootstrap, topics, lone("before", 5));
            // a later record moves stream time past their window: reported now, before the restart
            send(bootstrap, topics, List.of(clock("c1")));
            Await.until("five expired before the restart", () -> outcomeIds(bootstrap, topics).size(), n -> n == 5);
            send(bootstrap, topics, lone("across", 3));
            Kafka.awaitCaughtUp(bootstrap, APPLICATION_ID, topics.feedback());
            assertEquals(3L, first.metricsSnapshot().get(PairingMetrics.HELD_RATINGS), "held across the restart");
        }

        try (PairingApp second = app(bootstrap, topics, "second")) {
            second.start();
            second.awaitRunning(Kafka.DEADLINE);
            assertEquals(3L, second.metricsSnapshot().get(PairingMetrics.HELD_RATINGS),
                    "restored: the three still held, not the five already reported");
            send(bootstrap, topics, List.of(clock("c2")));
            Kafka.awaitCaughtUp(bootstrap, APPLICATION_ID, topics.feedback());
            Kafka.awaitNoOpenTransactions(bootstrap, ScenarioTopics.outputs(topics));
            assertEquals(0L, second.metricsSnapshot().get(PairingMetrics.HELD_RATINGS));
        }
        TreeMap<String, Long> expected = new TreeMap<>();
        IntStream.range(0, 5).forEach(i -> expected.put("before-" + i, 1L));
        IntStream.range(0, 3).forEach(i -> expected.put("across-" + i, 1L));
        assertEquals(expected, outcomeIds(bootstrap, topics), "each lone rating reported exactly once");
        List<PreferencePair> pairs = ScenarioTopics.read(bootstrap, topics).pairs();
        assertEquals(List.of("[c1]", "[c2]"), pairs.stream().map(p -> p.getSourceEventIds().toString()).toList());
    }

    private PairingApp app(String bootstrap, Topics topics, String stateName) {
        // a closed Streams client does not leave its group: the second waits out the first's session, 6 s, not 45
        return new PairingApp(topics, CONFIG, ClientSettings.of(bootstrap)
                .streamsSettings(APPLICATION_ID, stateDir.resolve(stateName)).withCommitInterval(Duration.ofMillis(200))
                .withExtraProperties(Map.of("session.timeout.ms", "6000", "heartbeat.interval.ms", "1000")));
    }

    /** Ratings of images of their own: each is held alone, and expires unpaired. */
    private static List<FeedbackEvent> lone(String prefix, int n) {
        return IntStream.range(0, n).mapToObj(i -> SyntheticEvents.rating(prefix + "-" + i,
                SyntheticEvents.imageByUri(prefix + "-image-" + i), "Describe the image.", "a cat", 4,
                Instant.now())).toList();
    }

    /** A correction after every held rating's window has closed (by the broker's clock), which moves stream time. */
    private static FeedbackEvent clock(String id) {
        Instant closed = Instant.now().plus(CONFIG.ratingWindow()).plusMillis(1);
        Await.until("the rating window to pass on the broker's clock", Instant::now, now -> now.isAfter(closed));
        return SyntheticEvents.correction(id, SyntheticEvents.imageByUri(id), "Describe the image.", "a dog",
                "a cat", Instant.now());
    }

    private static void send(String bootstrap, Topics topics, List<FeedbackEvent> events) throws Exception {
        ScenarioTopics.send(bootstrap, topics, events.stream().map(e -> new FeedbackScenario.Input(
                e.getImage().getSha256().getBytes(StandardCharsets.UTF_8), SERDE.encode(e),
                new FeedbackScenario.Fate.Held(e.getEventId()))).toList());
    }

    /** How many committed outcomes name each event id. */
    private static TreeMap<String, Long> outcomeIds(String bootstrap, Topics topics) {
        TreeMap<String, Long> ids = new TreeMap<>();
        for (FeedbackOutcome o : ScenarioTopics.read(bootstrap, topics).outcomes()) {
            ids.merge(o.getEventId(), 1L, Long::sum);
        }
        return ids;
    }
}
