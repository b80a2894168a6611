package io.tpostream.streams;

import io.tpostream.schema.FeedbackEvent;
import io.tpostream.streams.pairing.PairingMetrics;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Map;

import static io.tpostream.streams.TestEvents.T0;
import static io.tpostream.streams.TestEvents.correction;
import static io.tpostream.streams.TestEvents.rating;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PairingMetricsTest {

    private final PairingDriver driver = new PairingDriver();

    @AfterEach
    void close() {
        driver.close();
    }

    @Test
    void countersAreZeroBeforeAnyRecord() {
        assertEquals(Map.of("events-in", 0L, "pairs-out", 0L, "dead-letters", 0L, "outcomes", 0L,
                "held-ratings", 0L), driver.metrics());
    }

    @Test
    void countsEventsPairsDeadLettersByReasonAndHeldRatings() {
        FeedbackEvent c = correction("c1", "a dog", "a cat").build();
        driver.send(c, T0);                                                        // pair 1
        driver.send(c, T0.plusSeconds(1));                                         // DUPLICATE_EVENT
        driver.send(c.getImage().getSha256(), "junk".getBytes(StandardCharsets.UTF_8), T0.plusSeconds(2));
        driver.send(rating("r1", 5).response("one"), T0.plusSeconds(3));           // held
        driver.send(rating("r2", 1).response("two"), T0.plusSeconds(4));           // pair 2, both held
        driver.send(rating("r3", 3).image(TestEvents.imageByUri("dog")), T0.plusSeconds(5)); // held alone

        // r1 and r2 are still in the store but already accounted for as pair sources: only r3 waits
        assertEquals(Map.of("events-in", 6L, "pairs-out", 2L, "dead-letters", 2L,
                "dead-letters.DUPLICATE_EVENT", 1L, "dead-letters.UNDECODABLE", 1L, "outcomes", 0L,
                "held-ratings", 1L, "state-writes", 13L), driver.metrics(), "state writes: each of the 4 accepted "
                + "records writes its event id and its key's state once, each of the 3 ratings its content, each of "
                + "the 2 pairs its id");
        assertEquals(2, driver.pairs().size(), "the counters agree with the output topics");
        assertEquals(2, driver.deadLetters().size());
        assertEquals(3, driver.held().size());

        // stream time passes all windows: r1 and r2 leave silently (paired), r3 is an outcome, not a dead letter
        driver.send(correction("c2", "x", "y").image(TestEvents.imageByUri("bird")), T0.plusSeconds(3600));
        Map<String, Long> after = driver.metrics();
        after.remove("state-writes");
        assertEquals(Map.of("events-in", 7L, "pairs-out", 3L, "dead-letters", 2L,
                "dead-letters.DUPLICATE_EVENT", 1L, "dead-letters.UNDECODABLE", 1L, "outcomes", 1L,
                "outcomes.UNPAIRED_EXPIRED", 1L, "held-ratings", 0L), after);
    }

    @Test
    void theyAreKafkaStreamsMetricsWithThreadReasonAndTaskTags() {
        driver.send(TestEvents.rating("r1", 9).build(), T0); // RATING_OUT_OF_RANGE
        driver.send(TestEvents.rating("r2", 4).build(), T0);
        Map<MetricName, ? extends Metric> all = driver.driver().metrics();
        MetricName deadLetters = find(all, "dead-letters-total");
        assertEquals(PairingMetrics.GROUP, deadLetters.group());
        assertEquals("RATING_OUT_OF_RANGE", deadLetters.tags().get("reason"));
        assertTrue(deadLetters.tags().containsKey("thread-id"));
        assertEquals(1.0, all.get(deadLetters).metricValue());
        MetricName held = find(all, "held-ratings");
        assertEquals("0_0", held.tags().get("task-id"));
        assertEquals(1.0, all.get(held).metricValue());
        assertEquals(2.0, all.get(find(all, "events-in-total")).metricValue(), "one counter per thread, whichever "
                + "processor or task counts");
    }

    private static MetricName find(Map<MetricName, ? extends Metric> all, String name) {
        return all.keySet().stream().filter(n -> n.name().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no metric " + name + " in " + all.keySet()));
    }
}
