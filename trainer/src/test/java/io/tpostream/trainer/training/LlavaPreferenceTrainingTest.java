package io.tpostream.trainer.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import io.tpostream.trainer.model.HfLoadOptions;
import io.tpostream.trainer.model.LoraAdapters;
import io.tpostream.trainer.model.LoraConfig;
import io.tpostream.trainer.model.ModelInstance;
import io.tpostream.trainer.model.TestModels;
import io.tpostream.trainer.tpo.LearningRateSchedule;
import io.tpostream.trainer.tpo.Objective;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * TPO on the LLaVA-shaped fixture model (causal attention, the LLaVA prompt template, grouped-query attention, a
 * LLaMA-style tokenizer): full fine-tuning against a frozen copy, and LoRA against the same model with its adapters
 * off. The loss itself is golden-tested elsewhere (TpoLossGoldenTest); here the steps run, and the gradients reach
 * exactly what should learn.
 */
class LlavaPreferenceTrainingTest {

    private static List<TrainingPair> pairs(int n) {
        String[] chosen = {"the red one.", "a red crate.", "yes, a red crate."};
        String[] rejected = {"the blue one.", "a green cup.", "no, there is none."};
        List<TrainingPair> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(new TrainingPair("llava-" + i, TestModels.randomImage(16, 300 + i), "what is in the image?",
                    chosen[i % 3], rejected[i % 3]));
        }
        return out;
    }

    private static ModelInstance withLora(LoraConfig lora) throws IOException {
        return ModelInstance.fromHuggingFace(TestModels.llavaFixture(), HfLoadOptions.defaults().withLora(lora, 17));
    }

    private static Map<String, byte[]> snapshot(ModelInstance m) {
        Map<String, byte[]> out = new LinkedHashMap<>();
        m.parameters().forEach((name, a) -> {
            java.nio.ByteBuffer b = a.toByteBuffer();
            byte[] bytes = new byte[b.remaining()];
            b.get(bytes);
            out.put(name, bytes);
        });
        return out;
    }

    @Test
    void aLoraStepStartsAtLn2AndChangesOnlyTheAdapters() throws IOException {
        try (ModelInstance policy = withLora(LoraConfig.allProjections(4, 8));
             PreferenceTrainer trainer = new PreferenceTrainer(policy, PreferenceConfig.defaults(Objective.TPO)
                     .withLearningRate(LearningRateSchedule.constant(1e-2)))) {
            policy.parameters().forEach((name, a) -> assertEquals(LoraAdapters.isAdapterTensor(name),
                    a.hasGradient(), name + ": only adapters take gradients"));
            Map<String, byte[]> before = snapshot(policy);
            StepOutcome first = trainer.step(pairs(2));
            assertTrue(first.applied());
            assertEquals(Math.log(2), first.metrics().get("loss"), 1e-6,
                    "fresh adapters are the identity, so the policy equals its adapters-off reference");
            Map<String, byte[]> afterOne = snapshot(policy);
            before.forEach((name, bytes) -> {
                boolean moved = !Arrays.equals(bytes, afterOne.get(name));
                if (name.contains(".lora_B.")) {
                    assertTrue(moved, name + " got no gradient");
                } else {
                    // base weights never move; A has a zero gradient while B is zero (dL/dA = scale·Bᵀ·dL/dy·x)
                    assertFalse(moved, name + " changed in the first step");
                }
            });
            StepOutcome second = trainer.step(pairs(2));
            assertTrue(second.applied());
            Map<String, byte[]> afterTwo = snapshot(policy);
            before.forEach((name, bytes) -> {
                boolean moved = !Arrays.equals(bytes, afterTwo.get(name));
                assertEquals(LoraAdapters.isAdapterTensor(name), moved,
                        name + (moved ? " is a base weight and moved" : " is an adapter and got no gradient"));
            });
            assertEquals(2, trainer.stepCount());
        }
    }

    @Test
    void loraTrainingPrefersTheChosenResponses() throws IOException {
        try (ModelInstance policy = withLora(LoraConfig.of(4, 8, List.of("q_proj", "v_proj", "up_proj", "down_proj")));
             PreferenceTrainer trainer = new PreferenceTrainer(policy, PreferenceConfig.defaults(Objective.TPO)
                     .withLearningRate(LearningRateSchedule.constant(3e-2)))) {
            List<TrainingPair> batch = pairs(2);
            StepOutcome first = trainer.step(batch);
            StepOutcome last = first;
            for (int i = 0; i < 4; i++) {
                last = trainer.step(batch);
            }
            assertTrue(last.metrics().get("loss") < first.metrics().get("loss") - 0.05,
                    "loss " + first.metrics().get("loss") + " -> " + last.metrics().get("loss"));
            assertTrue(last.metrics().get("rewards/margins") > 0);
        }
    }

    @Test
    void fullFineTuningOfTheLlavaModelMovesThePolicy() {
        try (ModelInstance policy = TestModels.llavaFixtureModel(); ModelInstance reference = policy.frozenCopy();
             PreferenceTrainer trainer = new PreferenceTrainer(policy, reference, PreferenceConfig.defaults(Objective.TPO)
                     .withLearningRate(LearningRateSchedule.constant(2e-3)))) {
            assertEquals(4, policy.format().placeholder());
            List<TrainingPair> batch = pairs(2);
            Map<String, byte[]> before = snapshot(policy);
            StepOutcome first = trainer.step(batch);
            assertEquals(Math.log(2), first.metrics().get("loss"), 1e-6);
            Map<String, byte[]> after = snapshot(policy);
            before.forEach((name, bytes) -> assertEquals(!name.startsWith("vision_tower."),
                    !Arrays.equals(bytes, after.get(name)), name));
            StepOutcome last = first;
            for (int i = 0; i < 3; i++) {
                last = trainer.step(batch);
            }
            assertTrue(last.metrics().get("loss") < first.metrics().get("loss") - 0.05,
                    "loss " + first.metrics().get("loss") + " -> " + last.metrics().get("loss"));
            assertTrue(last.metrics().get("rewards/margins") > 0);
            PairTrace trace = last.traces().get(0);
            assertEquals("</s>", trace.chosen().get(trace.chosen().size() - 1).token(), "the end token is trained");
        }
    }

    @Test
    void aHalfPrecisionReferenceServesFullFineTuning() {
        try (ModelInstance policy = TestModels.llavaFixtureModel(); ModelInstance reference = policy.frozenCopy(DataType.FLOAT16);
             PreferenceTrainer trainer = new PreferenceTrainer(policy, reference, PreferenceConfig.defaults(Objective.TPO))) {
            StepOutcome first = trainer.step(pairs(2));
            assertTrue(first.applied());
            // float16 reference log-probs differ from the float32 policy's by rounding only: the margin is near 0
            assertEquals(Math.log(2), first.metrics().get("loss"), 1e-2);
        }
    }

    @Test
    void theSingleModelTrainerNeedsAdaptersAndFloat32() throws IOException {
        try (ModelInstance plain = TestModels.llavaFixtureModel()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> new PreferenceTrainer(plain, PreferenceConfig.defaults(Objective.TPO)));
            assertTrue(e.getMessage().contains("LoRA"), e.getMessage());
            try (ModelInstance half = plain.frozenCopy(DataType.FLOAT16)) {
                assertThrows(IllegalArgumentException.class,
                        () -> new PreferenceTrainer(half, plain, PreferenceConfig.defaults(Objective.TPO)));
            }
        }
    }

    @Test
    void loraTrainingKeepsTheManagerFlat() throws IOException {
        try (ModelInstance policy = withLora(LoraConfig.of(2, 4, List.of("q_proj", "v_proj")));
             PreferenceTrainer trainer = new PreferenceTrainer(policy, PreferenceConfig.defaults(Objective.TPO))) {
            List<TrainingPair> batch = pairs(2);
            int settled = -1;
            for (int i = 0; i < 6; i++) {
                trainer.step(batch);
                int live = ((ai.djl.ndarray.BaseNDManager) policy.manager()).getManagedArrays().size();
                if (i == 1) {
                    settled = live;
                } else if (i > 1) {
                    assertEquals(settled, live, "arrays accumulate in the policy's manager (step " + i + ")");
                }
            }
        }
    }
}
