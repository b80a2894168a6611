package io.tpostream.ops.synthetic;

import io.tpostream.schema.SchemaCatalog;
import io.tpostream.streams.PairingConfig;
import io.tpostream.streams.RejectReason;
import io.tpostream.streams.validation.FeedbackValidator;
import io.tpostream.streams.validation.Verdict;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Every hostile category, without Kafka: the validator alone gives each record the reason its category promises
 * (duplicates need the de-duplication state, record timestamps the broker: HostileInputIT covers those).
 */
class HostileFeedbackTest {

    private static final PairingConfig CONFIG = PairingConfig.defaults();
    private static final EnumSet<HostileFeedback.Category> NEED_KAFKA = EnumSet.of(
            HostileFeedback.Category.DUPLICATE_EVENT_ID, HostileFeedback.Category.RECORD_TIME_FUTURE,
            HostileFeedback.Category.RECORD_TIME_PAST);

    @BeforeAll
    static void readersKnowTheNewerSchema() {
        HostileFeedback.teachNewerKindSchema(SchemaCatalog.standard());
    }

    @Test
    void theValidatorGivesEveryCategoryItsReason() {
        FeedbackScenario valid = new FeedbackScenario(10, "v");
        List<FeedbackScenario.Input> resendable = valid.phase(1);
        List<HostileFeedback.Hostile> hostile = new HostileFeedback("t", 7, CONFIG.maxTextChars(), 20_000)
                .generate(HostileFeedback.Category.values().length * 12, resendable);
        FeedbackValidator validator = new FeedbackValidator(CONFIG);
        Map<HostileFeedback.Category, Integer> seen = new EnumMap<>(HostileFeedback.Category.class);
        long now = System.currentTimeMillis();
        for (HostileFeedback.Hostile h : hostile) {
            seen.merge(h.category(), 1, Integer::sum);
            if (NEED_KAFKA.contains(h.category())) {
                continue;
            }
            Verdict v = validator.validate(h.input().key(), h.input().value(), now);
            Optional<RejectReason> reason = v instanceof Verdict.Rejected r
                    ? Optional.of(r.rejection().reason()) : Optional.empty();
            assertEquals(h.category().expected(), reason, () -> h.category() + ": "
                    + (v instanceof Verdict.Rejected r ? r.rejection().detail() : "accepted"));
        }
        assertEquals(HostileFeedback.Category.values().length, seen.size(), "every category, " + seen);
        seen.values().forEach(n -> assertEquals(12, n));
    }

    @Test
    void theSameSeedGivesTheSameRecords() {
        List<FeedbackScenario.Input> resendable = new FeedbackScenario(4, "v").phase(1);
        List<HostileFeedback.Hostile> a = new HostileFeedback("t", 3, 100, 1000).generate(200, resendable);
        List<HostileFeedback.Hostile> b = new HostileFeedback("t", 3, 100, 1000).generate(200, resendable);
        for (int i = 0; i < a.size(); i++) {
            assertEquals(a.get(i).category(), b.get(i).category());
            assertArrayEquals(a.get(i).input().key(), b.get(i).input().key());
        }
    }
}
