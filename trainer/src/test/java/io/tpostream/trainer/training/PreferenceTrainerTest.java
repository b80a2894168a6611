package io.tpostream.trainer.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import io.tpostream.trainer.model.ModelInstance;
import io.tpostream.trainer.model.TestModels;
import io.tpostream.trainer.tpo.Objective;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PreferenceTrainerTest {

    static List<TrainingPair> pairs(int n) {
        List<TrainingPair> out = new ArrayList<>();
        String[] chosen = {"a red circle .", "a blue square .", "a green circle and a red square ."};
        String[] rejected = {"a red circle and a blue square .", "a blue square and a red circle .", "a green cross ."};
        for (int i = 0; i < n; i++) {
            out.add(new TrainingPair("pair-" + i, TestModels.randomImage(16, 100 + i), "describe the image .",
                    chosen[i % chosen.length], rejected[i % rejected.length]));
        }
        return out;
    }

    @Test
    void firstStepAgainstAnIdenticalReferenceHasLossLn2AndEveryTrainableParameterMoves() {
        try (ModelInstance policy = TestModels.microModel(21); ModelInstance reference = policy.frozenCopy()) {
            Map<String, float[]> before = new java.util.HashMap<>();
            policy.parameters().forEach((k, v) -> before.put(k, v.toFloatArray()));
            try (PreferenceTrainer trainer = new PreferenceTrainer(policy, reference, PreferenceConfig.defaults(Objective.TPO))) {
                StepOutcome outcome = trainer.step(pairs(4));
                assertTrue(outcome.applied());
                assertEquals(Math.log(2), outcome.metrics().get("loss"), 1e-6, "policy == reference gives margin 0");
                assertEquals(4, outcome.trained().size());
                assertTrue(outcome.metrics().get("grad_norm") > 0);
                // the logged means are the means of the traced per-token values, not just somewhere in [a, 1+a]
                List<PairTrace.TokenValue> chosen = outcome.traces().stream().flatMap(t -> t.chosen().stream()).toList();
                List<PairTrace.TokenValue> rejected = outcome.traces().stream().flatMap(t -> t.rejected().stream())
                        .toList();
                assertEquals(mean(chosen, PairTrace.TokenValue::weight), outcome.metrics().get("weight/chosen_mean"),
                        1e-5);
                assertEquals(mean(rejected, PairTrace.TokenValue::weight),
                        outcome.metrics().get("weight/rejected_mean"), 1e-5);
                assertEquals(mean(chosen, PairTrace.TokenValue::score), outcome.metrics().get("score/chosen_mean"),
                        1e-4);
            }
            policy.parameters().forEach((name, array) -> {
                boolean moved = !java.util.Arrays.equals(before.get(name), array.toFloatArray());
                if (name.startsWith("vision_tower.")) {
                    assertFalse(moved, name + " is frozen by default, like the paper's vision encoder");
                } else {
                    assertTrue(moved, name + " did not change: no gradient reached it");
                }
            });
        }
    }

    @Test
    void repeatedStepsPreferTheChosenResponses() {
        try (ModelInstance policy = TestModels.microModel(22); ModelInstance reference = policy.frozenCopy();
             PreferenceTrainer trainer = new PreferenceTrainer(policy, reference,
                     PreferenceConfig.defaults(Objective.TPO).withLearningRate(
                             io.tpostream.trainer.tpo.LearningRateSchedule.constant(3e-3)))) {
            List<TrainingPair> batch = pairs(6);
            StepOutcome first = trainer.step(batch);
            StepOutcome last = first;
            for (int i = 0; i < 15; i++) {
                last = trainer.step(batch);
            }
            assertTrue(last.metrics().get("loss") < first.metrics().get("loss") - 0.1,
                    "loss " + first.metrics().get("loss") + " -> " + last.metrics().get("loss"));
            assertTrue(last.metrics().get("rewards/margins") > 0);
            assertEquals(16, trainer.stepCount());
        }
    }

    @Test
    void tracesHaveOneValuePerResponseToken() {
        try (ModelInstance policy = TestModels.microModel(23); ModelInstance reference = policy.frozenCopy();
             PreferenceTrainer trainer = new PreferenceTrainer(policy, reference, PreferenceConfig.defaults(Objective.TPO))) {
            StepOutcome outcome = trainer.step(pairs(2));
            PairTrace trace = outcome.traces().get(0);
            assertEquals("pair-0", trace.pairId());
            assertEquals(List.of("a", "red", "circle", ".", "<eos>"), trace.chosen().stream().map(PairTrace.TokenValue::token).toList());
            assertEquals(List.of("a", "red", "circle", "and", "a", "blue", "square", ".", "<eos>"),
                    trace.rejected().stream().map(PairTrace.TokenValue::token).toList());
            // each weight is TPO's function of its own token's score: c = sigmoid(s) + a, or 1 - sigmoid(s) + a
            trace.chosen().forEach(t -> assertEquals(sigmoid(t.score()) + 0.5, t.weight(), 1e-5, t.toString()));
            trace.rejected().forEach(t -> assertEquals(1 - sigmoid(t.score()) + 0.5, t.weight(), 1e-5, t.toString()));
            assertTrue(trace.chosen().stream().map(PairTrace.TokenValue::score).distinct().count() > 1,
                    "scores differ from token to token: " + trace.chosen());
        }
    }

    @Test
    void dpoNeedsNoCorruptedPassAndWeighsEveryTokenOne() {
        try (ModelInstance policy = TestModels.microModel(24); ModelInstance reference = policy.frozenCopy();
             PreferenceTrainer trainer = new PreferenceTrainer(policy, reference, PreferenceConfig.defaults(Objective.DPO))) {
            StepOutcome outcome = trainer.step(pairs(3));
            assertEquals(Math.log(2), outcome.metrics().get("loss"), 1e-6);
            outcome.traces().forEach(t -> t.chosen().forEach(v -> {
                assertEquals(1f, v.weight());
                assertTrue(Float.isNaN(v.score()), "DPO computes no visual-anchored score");
            }));
        }
    }

    @Test
    void aPairWithNonFiniteLossIsQuarantinedAndTheRestStillTrain() {
        try (ModelInstance policy = TestModels.microModel(25); ModelInstance reference = policy.frozenCopy()) {
            // a broken embedding row for one word: every sequence that uses it goes NaN, nothing else does
            long cross = policy.tokenizer().id("cross");
            NDArray embed = policy.parameters().get("language_model.model.embed_tokens.weight");
            embed.set(new NDIndex(cross), Float.POSITIVE_INFINITY);
            try (PreferenceTrainer trainer = new PreferenceTrainer(policy, reference, PreferenceConfig.defaults(Objective.TPO))) {
                StepOutcome outcome = trainer.step(pairs(3));
                assertEquals(Map.of("pair-2", outcome.quarantined().get("pair-2")), outcome.quarantined());
                assertTrue(outcome.quarantined().get("pair-2").startsWith("NON_FINITE_LOSS"));
                assertEquals(List.of("pair-0", "pair-1"), outcome.trained());
                assertTrue(outcome.applied());
                assertTrue(Double.isFinite(outcome.metrics().get("loss")));
            }
            float[] weights = policy.parameters().get("language_model.lm_head.weight").toFloatArray();
            for (float w : weights) {
                assertTrue(Float.isFinite(w), "a NaN reached the weights");
            }
        }
    }

    @Test
    void memoryStaysFlatOverManySteps() {
        try (ModelInstance policy = TestModels.microModel(26); ModelInstance reference = policy.frozenCopy();
             PreferenceTrainer trainer = new PreferenceTrainer(policy, reference, PreferenceConfig.defaults(Objective.TPO))) {
            List<TrainingPair> batch = pairs(2);
            int settled = -1;
            for (int i = 0; i < 40; i++) {
                trainer.step(batch);
                int live = ((ai.djl.ndarray.BaseNDManager) policy.manager()).getManagedArrays().size();
                if (i == 3) {
                    settled = live;
                } else if (i > 3) {
                    assertEquals(settled, live, "arrays accumulate in the policy's manager (step " + i + ")");
                }
            }
        }
    }

    private static double sigmoid(double x) {
        return 1 / (1 + Math.exp(-x));
    }

    private static double mean(List<PairTrace.TokenValue> values, java.util.function.ToDoubleFunction<PairTrace.TokenValue> f) {
        return values.stream().mapToDouble(f).average().orElseThrow();
    }
}
