package io.tpostream.trainer.training;

import io.tpostream.trainer.eval.SceneVocabulary;
import io.tpostream.trainer.experiment.StepBenchmark;
import io.tpostream.trainer.model.HfLoadOptions;
import io.tpostream.trainer.model.LoraConfig;
import io.tpostream.trainer.model.ModelInstance;
import io.tpostream.trainer.model.TestModels;
import io.tpostream.trainer.model.VlmConfig;
import io.tpostream.trainer.model.VlmPresets;
import io.tpostream.trainer.tpo.Objective;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The shared-prefix step against the straightforward one (the oracle): the same loss and the same gradient of every
 * trainable parameter, to 1e-5, for every objective. Policy and reference start from different weights so the
 * margins, scores and weights are not at their trivial values; the prompts differ in length within a batch and so
 * do the responses, so every padding and masking path of the packing is crossed.
 *
 * <p>Presets: tiny as it is. The small preset (86M parameters) takes about half a minute per objective and path
 * on two CPU cores, too slow for the always-on tier, so it is checked on {@link #smallShaped()}: the same family at a
 * reduced size (6 vision layers of the small tower's kind at 32 px; a 3-layer decoder with 12 query and 4 key/value
 * heads, small's grouped-query ratio). The LLaVA fixture covers causal attention, the LLaVA template (placeholder
 * after the first token) and LoRA's adapters-off reference.
 */
class StepParityTest {

    private static final double TOLERANCE = 1e-5;

    @ParameterizedTest
    @EnumSource(Objective.class)
    void tinyPreset(Objective objective) {
        assertParity(scene(VlmPresets.tiny(SceneVocabulary.size(), SceneVocabulary.IMAGE_ID)), objective, 5);
    }

    @ParameterizedTest
    @EnumSource(Objective.class)
    void smallShapedPreset(Objective objective) {
        assertParity(scene(smallShaped()), objective, 3);
    }

    @ParameterizedTest
    @EnumSource(value = Objective.class, names = {"TPO", "DPO"})
    void llavaFixtureWithCausalAttention(Objective objective) {
        try (ModelInstance fixture = TestModels.llavaFixtureModel()) {
            VlmConfig config = fixture.config();
            byte[] tokenizer = fixture.tokenizer().json();
            try (ModelInstance reference = ModelInstance.create(config, tokenizer, 1, ai.djl.Device.cpu()).frozenCopy()) {
                Models models = new Models(reference, () -> ModelInstance.create(config, tokenizer, 2, ai.djl.Device.cpu()));
                assertParity(models, objective, llavaPairs(3), false);
            }
        }
    }

    @Test
    void loraAgainstItsOwnBaseWithAdaptersOff() throws IOException {
        LoraConfig lora = LoraConfig.of(4, 8, List.of("q_proj", "v_proj"));
        try (ModelInstance fast = ModelInstance.fromHuggingFace(TestModels.llavaFixture(),
                HfLoadOptions.defaults().withLora(lora, 17));
             ModelInstance oracle = fast.copy()) {
            PreferenceConfig config = PreferenceConfig.defaults(Objective.TPO);
            // adapters are the identity when fresh: one step moves them, so the policy differs from its reference
            try (PreferenceTrainer warm = new PreferenceTrainer(fast, config.withLearningRate(
                    io.tpostream.trainer.tpo.LearningRateSchedule.constant(1e-2)))) {
                warm.step(llavaPairs(2));
            }
            oracle.copyWeightsFrom(fast);
            try (PreferenceTrainer a = new PreferenceTrainer(fast, config, StepPath.SHARED_PREFIX);
                 PreferenceTrainer b = new PreferenceTrainer(oracle, config, StepPath.STRAIGHTFORWARD)) {
                assertSame(b.lossAndGradients(llavaPairs(3)), a.lossAndGradients(llavaPairs(3)), "lora tpo");
            }
        }
    }

    /** A reduced model of the small preset's family (see the class comment). */
    static VlmConfig smallShaped() {
        return new VlmConfig(
                new VlmConfig.VisionConfig(32, 8, 96, 6, 6, 384, 1e-5, "quick_gelu"),
                new VlmConfig.TextConfig(SceneVocabulary.size(), 192, 3, 12, 4, 512, 1e-6, 10000, 128),
                SceneVocabulary.IMAGE_ID, -1, "gelu", "prefix");
    }

    /** A frozen reference and a way to make identical policies that differ from it. */
    private record Models(ModelInstance reference, java.util.function.Supplier<ModelInstance> policy) {
    }

    private static Models scene(VlmConfig config) {
        ModelInstance reference;
        try (ModelInstance base = ModelInstance.create(config, SceneVocabulary.resourceBytes(), 1, ai.djl.Device.cpu())) {
            reference = base.frozenCopy();
        }
        return new Models(reference, () -> ModelInstance.create(config, SceneVocabulary.resourceBytes(), 2,
                ai.djl.Device.cpu()));
    }

    private static void assertParity(Models models, Objective objective, int pairs) {
        try (ModelInstance reference = models.reference()) {
            assertParity(models, objective, scenePairs(reference.config(), pairs), true);
        }
    }

    private static void assertParity(Models models, Objective objective, List<TrainingPair> batch,
                                     boolean expectVisionFrozen) {
        try (ModelInstance fast = models.policy().get(); ModelInstance oracle = models.policy().get()) {
            PreferenceConfig config = PreferenceConfig.defaults(objective);
            try (PreferenceTrainer a = new PreferenceTrainer(fast, models.reference(), config, StepPath.SHARED_PREFIX);
                 PreferenceTrainer b = new PreferenceTrainer(oracle, models.reference(), config,
                         StepPath.STRAIGHTFORWARD)) {
                PreferenceTrainer.LossAndGradients expected = b.lossAndGradients(batch);
                PreferenceTrainer.LossAndGradients actual = a.lossAndGradients(batch);
                assertSame(expected, actual, objective.configName());
                if (expectVisionFrozen) {
                    assertTrue(expected.gradients().keySet().stream().noneMatch(n -> n.startsWith("vision_tower.")));
                }
            }
        }
    }

    private static void assertSame(PreferenceTrainer.LossAndGradients expected,
                                   PreferenceTrainer.LossAndGradients actual, String what) {
        assertEquals(expected.loss(), actual.loss(), TOLERANCE, what + " loss");
        assertTrue(Math.abs(expected.loss() - Math.log(2)) > 1e-4, what + ": policy and reference should differ");
        assertEquals(expected.gradients().keySet(), actual.gradients().keySet());
        double largest = 0;
        for (Map.Entry<String, float[]> e : expected.gradients().entrySet()) {
            float[] want = e.getValue();
            float[] got = actual.gradients().get(e.getKey());
            double worst = 0;
            for (int i = 0; i < want.length; i++) {
                worst = Math.max(worst, Math.abs(want[i] - got[i]));
                largest = Math.max(largest, Math.abs(want[i]));
            }
            assertTrue(worst <= TOLERANCE, what + ": gradient of " + e.getKey() + " differs by " + worst);
        }
        assertTrue(largest > 1e-3, what + ": the gradients should not be trivially zero");
    }

    /** Scene pairs whose prompts and responses differ in length within the batch. */
    static List<TrainingPair> scenePairs(VlmConfig config, int n) {
        String[] prompts = {"describe the image .", "describe .", "is there a red circle in the image ?"};
        List<TrainingPair> out = new ArrayList<>();
        List<TrainingPair> base = StepBenchmark.batch(config, n);
        for (int i = 0; i < n; i++) {
            TrainingPair p = base.get(i);
            String rejected = i == 1 ? "a" : p.rejected();
            out.add(new TrainingPair(p.pairId(), p.image(), prompts[i % prompts.length], p.chosen(), rejected));
        }
        return out;
    }

    private static List<TrainingPair> llavaPairs(int n) {
        String[] prompts = {"what is in the image?", "what?", "is there a red crate in the picture, or not?"};
        String[] chosen = {"the red one.", "a red crate.", "yes, a red crate."};
        String[] rejected = {"the blue one.", "a green cup that is not there.", "no."};
        List<TrainingPair> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(new TrainingPair("llava-" + i, TestModels.randomImage(16, 300 + i), prompts[i % 3],
                    chosen[i % 3], rejected[i % 3]));
        }
        return out;
    }
}
