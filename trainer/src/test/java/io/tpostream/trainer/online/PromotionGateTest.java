package io.tpostream.trainer.online;

import io.tpostream.trainer.model.ModelInstance;
import io.tpostream.trainer.model.TestModels;
import io.tpostream.trainer.testing.SceneFixtures;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PromotionGateTest {

    private static final String CHAIR = PromotionGate.CHAIR_I;
    private static final String POPE = PromotionGate.POPE_ADVERSARIAL_F1;

    private static PromotionGate gate(GateConfig config) {
        return new PromotionGate(config, SceneFixtures.IMAGE_SIZE);
    }

    @Test
    void passesWithinTheThresholdsAndRejectsBeyondThemWithTheReason() {
        PromotionGate g = gate(GateConfig.defaults().withProbeImages(2).withThresholds(0.05, 0.05));
        Map<String, Double> served = Map.of(CHAIR, 0.20, POPE, 0.70);
        assertEquals(Optional.empty(), g.verdict(served, Map.of(CHAIR, 0.24, POPE, 0.66)));
        assertEquals(Optional.of("CHAIR_i rose from 0.2000 to 0.2600 (allowed +0.0500)"),
                g.verdict(served, Map.of(CHAIR, 0.26, POPE, 0.70)));
        assertEquals(Optional.of("POPE-adversarial F1 fell from 0.7000 to 0.6400 (allowed -0.0500)"),
                g.verdict(served, Map.of(CHAIR, 0.20, POPE, 0.64)));
    }

    @Test
    void regressionIsMeasuredFromTheBestServedSoFarSoThatAllowedStepsCannotAddUp() {
        PromotionGate g = gate(GateConfig.defaults().withProbeImages(2).withThresholds(0.05, 0.05));
        Map<String, Double> v0 = Map.of(CHAIR, 0.07, POPE, 0.90);
        Map<String, Double> served = new HashMap<>(v0);
        served.putAll(PromotionGate.bestsAfter(Map.of(), v0));
        // served: 0.07 (base), then 0.03 (better), then 0.07 (0.04 worse than the best: allowed)
        for (double chair : new double[] {0.03, 0.07}) {
            Map<String, Double> candidate = Map.of(CHAIR, chair, POPE, 0.90);
            assertEquals(Optional.empty(), g.verdict(served, candidate), "CHAIR_i " + chair);
            Map<String, Double> next = new HashMap<>(candidate);
            next.putAll(PromotionGate.bestsAfter(served, candidate));
            served = next;
        }
        assertEquals(0.03, served.get(PromotionGate.BEST_CHAIR_I), 1e-12, "the best so far is kept");
        assertEquals(0.90, served.get(PromotionGate.BEST_POPE_ADVERSARIAL_F1), 1e-12);
        // 0.11 is within 0.05 of the served 0.07, one more allowed step, but 0.08 above the best
        assertEquals(Optional.of("CHAIR_i rose from 0.0300 (the best served so far) to 0.1100 (allowed +0.0500)"),
                g.verdict(served, Map.of(CHAIR, 0.11, POPE, 0.90)));
        assertEquals(Optional.of("POPE-adversarial F1 fell from 0.9000 to 0.8400 (allowed -0.0500)"),
                g.verdict(served, Map.of(CHAIR, 0.05, POPE, 0.84)));
    }

    @Test
    void aVersionWrittenBeforeBestsWereRecordedIsItsOwnReference() {
        assertEquals(Map.of(PromotionGate.BEST_CHAIR_I, 0.1, PromotionGate.BEST_POPE_ADVERSARIAL_F1, 0.8),
                PromotionGate.bestsAfter(Map.of(CHAIR, 0.1, POPE, 0.8), Map.of(CHAIR, 0.2, POPE, 0.7)));
        assertEquals(Map.of(PromotionGate.BEST_CHAIR_I, 0.2), PromotionGate.bestsAfter(Map.of(), Map.of(CHAIR, 0.2)));
    }

    @Test
    void aNegativeAllowanceDemandsImprovementAndAnUnmeasurableCandidateFails() {
        PromotionGate strict = gate(GateConfig.defaults().withProbeImages(2).withThresholds(-1.5, 1));
        Map<String, Double> served = Map.of(CHAIR, 1.0, POPE, 0.5);
        assertTrue(strict.verdict(served, Map.of(CHAIR, 0.0, POPE, 0.5)).orElseThrow().startsWith("CHAIR_i rose"));
        PromotionGate normal = gate(GateConfig.defaults().withProbeImages(2));
        assertTrue(normal.verdict(served, Map.of(CHAIR, Double.NaN, POPE, 0.5)).orElseThrow()
                .contains("no finite eval/chair_i"));
        assertTrue(normal.verdict(served, Map.of(CHAIR, 0.5)).orElseThrow().contains("no finite " + POPE));
        PromotionGate off = gate(GateConfig.defaults().withProbeImages(2).disabled());
        assertEquals(Optional.empty(), off.verdict(served, Map.of(CHAIR, 1.0, POPE, 0.0)));
    }

    @Test
    void measuresAModelWhoseInputSizeTheSceneWorldCannotDraw() {
        // the LLaVA fixture takes 16 px images (a real LLaVA-1.5 336 px); the scenes are drawn at 32 and resized
        assertEquals(32, PromotionGate.sceneSize(16));
        assertEquals(64, PromotionGate.sceneSize(336));
        assertEquals(48, PromotionGate.sceneSize(48));
        try (ModelInstance m = TestModels.llavaFixtureModel()) {
            assertEquals(16, m.config().vision().imageSize());
            Map<String, Double> metrics = new PromotionGate(GateConfig.defaults().withProbeImages(2),
                    m.config().vision().imageSize()).measure(m);
            assertTrue(Double.isFinite(metrics.get(CHAIR)) && Double.isFinite(metrics.get(POPE)), metrics.toString());
        }
    }

    @Test
    void measuresTheGatedMetricsOfAModel() {
        try (ModelInstance m = SceneFixtures.microSceneModel(3)) {
            Map<String, Double> metrics = gate(GateConfig.defaults().withProbeImages(4)).measure(m);
            assertTrue(Double.isFinite(metrics.get(CHAIR)), metrics.toString());
            assertTrue(Double.isFinite(metrics.get(POPE)), metrics.toString());
        }
    }
}
