package io.tpostream.trainer.training;

import ai.djl.Device;
import io.tpostream.trainer.model.ModelInstance;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PretrainingTest {

    @Test
    void aFewStepsOfTheTinyPresetLowerTheLoss() {
        PretrainConfig config = PretrainConfig.defaults().withSteps(30);
        List<Double> losses = new ArrayList<>();
        try (ModelInstance model = Pretraining.run(config, Device.cpu(), (step, total, metrics) -> {
            assertEquals(30, total);
            losses.add(metrics.get("loss"));
        })) {
            assertEquals(30, losses.size());
            double first = losses.subList(0, 5).stream().mapToDouble(Double::doubleValue).average().orElseThrow();
            double last = losses.subList(25, 30).stream().mapToDouble(Double::doubleValue).average().orElseThrow();
            assertTrue(last < first * 0.8, "loss " + first + " -> " + last);
            assertEquals("tiny", config.preset());
            assertTrue(model.parameters().size() > 20);
        }
    }
}
