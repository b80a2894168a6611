package io.tpostream.trainer.model;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.training.GradientCollector;
import io.tpostream.trainer.image.RgbImage;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class VisionLanguageModelTest {

    private static final List<String> PROMPTS = List.of("describe the image .", "is there a red circle ?");

    @Test
    void logitsAreAlignedWithTheTextAndHaveTheVocabularyWidth() {
        try (ModelInstance m = TestModels.microModel(1); NDManager s = m.manager().newSubManager()) {
            SequenceBatch batch = SequenceBatch.pad(List.of(
                    m.format().encode(PROMPTS.get(0), "a red circle ."),
                    m.format().encode(PROMPTS.get(0), "a blue square and a green cross .")), m.tokenizer().padId());
            NDArray features = m.model().imageFeatures(m.pixels(List.of(TestModels.randomImage(16, 1),
                    TestModels.randomImage(16, 2)), s));
            assertEquals(4, features.getShape().get(1), "16px / 8px patches = 4 image tokens");
            NDArray logits = m.model().logits(features, batch.idsArray(s), PromptFormat.PLACEHOLDER);
            assertArrayEquals(new long[] {2, batch.length(), 24}, logits.getShape().getShape());
        }
    }

    @Test
    void laterTokensNeverChangeEarlierLogits() {
        try (ModelInstance m = TestModels.microModel(2); NDManager s = m.manager().newSubManager()) {
            NDArray features = m.model().imageFeatures(m.pixels(List.of(TestModels.randomImage(16, 3)), s));
            long[] a = m.format().encode(PROMPTS.get(0), "a red circle .").ids();
            long[] b = a.clone();
            b[b.length - 2] = m.tokenizer().encode("blue")[0];
            float[] la = m.model().logits(features, s.create(a).reshape(1, a.length), 1).toFloatArray();
            float[] lb = m.model().logits(features, s.create(b).reshape(1, b.length), 1).toFloatArray();
            int vocab = 24;
            int changed = b.length - 2;
            for (int i = 0; i < changed * vocab; i++) {
                assertEquals(la[i], lb[i], 1e-6, "row " + i / vocab + " saw a later token");
            }
            boolean differs = false;
            for (int i = changed * vocab; i < la.length; i++) {
                differs |= Math.abs(la[i] - lb[i]) > 1e-6;
            }
            assertTrue(differs, "the changed token must change its own and later rows");
        }
    }

    @Test
    void promptTokensSeeEachOtherButTheResponseStaysCausal() {
        try (ModelInstance m = TestModels.microModel(6); NDManager s = m.manager().newSubManager()) {
            NDArray features = m.model().imageFeatures(m.pixels(List.of(TestModels.randomImage(16, 3)), s));
            PromptFormat.Encoded a = m.format().encode("is there a red circle ?", "yes");
            long[] b = a.ids().clone();
            int lastPromptWord = a.responseStart() - 2; // the "?" before <sep>
            b[lastPromptWord] = m.tokenizer().encode(".")[0];
            int[] prefix = {a.responseStart()};
            float[] la = m.model().logits(features, s.create(a.ids()).reshape(1, a.length()), 1, prefix).toFloatArray();
            float[] lb = m.model().logits(features, s.create(b).reshape(1, b.length), 1, prefix).toFloatArray();
            int vocab = 24;
            double earlierRowChange = 0;
            for (int i = 2 * vocab; i < 3 * vocab; i++) {
                earlierRowChange += Math.abs(la[i] - lb[i]);
            }
            assertTrue(earlierRowChange > 1e-6, "a prompt row must see a later prompt token under prefix attention");
            PromptFormat.Encoded c = m.format().encode("is there a red circle ?", "yes");
            long[] d = c.ids().clone();
            d[d.length - 1] = m.tokenizer().encode("no")[0]; // change the last (response) token
            float[] lc = m.model().logits(features, s.create(c.ids()).reshape(1, c.length()), 1, prefix).toFloatArray();
            float[] ld = m.model().logits(features, s.create(d).reshape(1, d.length), 1, prefix).toFloatArray();
            for (int i = 0; i < (d.length - 1) * vocab; i++) {
                assertEquals(lc[i], ld[i], 1e-6, "a response token changed an earlier row");
            }
        }
    }

    @Test
    void theImageChangesTheTextLogits() {
        try (ModelInstance m = TestModels.microModel(3); NDManager s = m.manager().newSubManager()) {
            long[] ids = m.format().encode(PROMPTS.get(0), "a red circle .").ids();
            NDArray idArray = s.create(ids).reshape(1, ids.length);
            float[] one = m.model().logits(m.model().imageFeatures(m.pixels(List.of(TestModels.randomImage(16, 4)), s)),
                    idArray, 1).toFloatArray();
            float[] two = m.model().logits(m.model().imageFeatures(m.pixels(List.of(TestModels.randomImage(16, 5)), s)),
                    idArray, 1).toFloatArray();
            double diff = 0;
            for (int i = 0; i < one.length; i++) {
                diff += Math.abs(one[i] - two[i]);
            }
            assertTrue(diff > 1e-3, "logits ignore the image");
        }
    }

    @Test
    void initialisationIsDeterministicFromTheSeed() {
        try (ModelInstance a = TestModels.microModel(7); ModelInstance b = TestModels.microModel(7);
             ModelInstance c = TestModels.microModel(8)) {
            Map<String, NDArray> pa = a.parameters();
            Map<String, NDArray> pb = b.parameters();
            Map<String, NDArray> pc = c.parameters();
            boolean anyDifferent = false;
            for (String name : pa.keySet()) {
                assertArrayEquals(pa.get(name).toFloatArray(), pb.get(name).toFloatArray(), name);
                anyDifferent |= !java.util.Arrays.equals(pa.get(name).toFloatArray(), pc.get(name).toFloatArray());
            }
            assertTrue(anyDifferent);
        }
    }

    @Test
    void parameterNamesFollowHuggingFaceLlava() {
        try (ModelInstance m = TestModels.microModel(1)) {
            var names = m.parameters().keySet();
            assertTrue(names.contains("vision_tower.vision_model.embeddings.patch_embedding.weight"));
            assertTrue(names.contains("vision_tower.vision_model.encoder.layers.0.self_attn.out_proj.bias"));
            assertFalse(names.contains("vision_tower.vision_model.encoder.layers.1.mlp.fc1.weight"),
                    "with feature layer -2 the last vision layer is not built");
            assertTrue(names.contains("multi_modal_projector.linear_2.weight"));
            assertTrue(names.contains("language_model.model.layers.1.self_attn.k_proj.weight"));
            assertTrue(names.contains("language_model.model.layers.1.mlp.gate_proj.weight"));
            assertTrue(names.contains("language_model.lm_head.weight"));
            assertArrayEquals(new long[] {16, 32}, m.parameters().get("language_model.model.layers.0.self_attn.k_proj.weight")
                    .getShape().getShape(), "2 of 4 heads for keys: grouped-query attention");
        }
    }

    @Test
    void gradientsReachEveryParameter() {
        try (ModelInstance m = TestModels.microModel(4); NDManager s = m.manager().newSubManager()) {
            m.parameters().values().forEach(p -> p.setRequiresGradient(true));
            PromptFormat.Encoded e = m.format().encode(PROMPTS.get(0), "a red circle .");
            NDArray ids = s.create(e.ids()).reshape(1, e.length());
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray logits = m.model().logits(m.model().imageFeatures(
                        m.pixels(List.of(TestModels.randomImage(16, 9)), s)), ids, 1);
                gc.backward(logits.logSoftmax(-1).get(new NDIndex(":, :, 7")).sum().neg());
            }
            m.parameters().forEach((name, p) -> {
                float[] g = p.getGradient().toFloatArray();
                double norm = 0;
                for (float v : g) {
                    norm += v * v;
                }
                assertTrue(norm > 0, "no gradient reached " + name);
            });
        }
    }

    @Test
    void forwardAndBackwardLeaveNothingInTheModelsManager() {
        try (ModelInstance m = TestModels.microModel(5)) {
            m.parameters().values().forEach(p -> p.setRequiresGradient(true));
            PromptFormat.Encoded e = m.format().encode(PROMPTS.get(0), "a red circle .");
            RgbImage image = TestModels.randomImage(16, 10);
            int before = -1;
            for (int step = 0; step < 30; step++) {
                try (NDManager s = m.manager().newSubManager()) {
                    NDArray ids = s.create(e.ids()).reshape(1, e.length());
                    try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                        NDArray logits = m.model().logits(m.model().imageFeatures(m.pixels(List.of(image), s)), ids, 1);
                        gc.backward(logits.sum());
                    }
                }
                int now = ((ai.djl.ndarray.BaseNDManager) m.manager()).getManagedArrays().size();
                if (step == 2) {
                    before = now;
                } else if (step > 2) {
                    assertEquals(before, now, "arrays leak into the model's manager at step " + step);
                }
            }
        }
    }

    @Test
    void fullFeatureSelectionKeepsTheClassTokenInFrontOfTheSamePatchFeatures() {
        VlmConfig full = TestModels.micro().withFeatureSelectStrategy("full");
        try (ModelInstance d = TestModels.microModel(12);
             ModelInstance f = ModelInstance.create(full, TestModels.tokenizerJson(), 12, ai.djl.Device.cpu());
             NDManager s = d.manager().newSubManager()) {
            NDArray pixels = d.pixels(List.of(TestModels.randomImage(16, 13)), s);
            NDArray patchesOnly = d.model().imageFeatures(pixels);
            NDArray withClass = f.model().imageFeatures(pixels);
            assertEquals(full.imageSeqLength(), withClass.getShape().get(1));
            assertEquals(patchesOnly.getShape().get(1) + 1, withClass.getShape().get(1));
            assertArrayEquals(patchesOnly.toFloatArray(), withClass.get(":, 1:, :").toFloatArray(), 1e-6f);
        }
    }
}
