package io.tpostream.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Logits of a tiny LLaVA-1.5-shaped model against an independent implementation, to 1e-4 in float32.
 *
 * <p>The logits in {@code src/test/resources/parity/llava-tiny} come from {@code ops/parity/make_llava_fixture_torch.py}:
 * a plain-PyTorch LLaVA-1.5 (torch.nn modules whose state_dict keys are Hugging Face's tensor names, loaded with
 * strict=True) run in float32, which refuses to write unless it agrees with the independent NumPy re-implementation
 * ({@code make_llava_fixture_numpy.py}, float64) to 1e-4; the two agree to 5e-6 in float32 and 1e-14 in float64.
 * {@code ops/parity/make_llava_fixture.py} writes the same files from transformers itself where it is installed.
 * The model exercises grouped-query attention (4 query heads, 2 key/value heads), {@code vision_feature_layer = -2}
 * (the last vision layer and post_layernorm are in the files but unused), the image placeholder at index 4 rather
 * than 0, causal attention, sharded weights under transformers' current tensor names, and the LLaVA prompt template.
 */
class LlavaParityTest {

    private static final double TOLERANCE = 1e-4;

    @TempDir
    Path temp;

    @Test
    void logitsMatchTheReferenceImplementation() throws IOException {
        try (ModelInstance m = TestModels.llavaFixtureModel()) {
            assertEquals(4, m.format().placeholder(), "<s> ▁USER : ▁ <image>");
            assertTrue(m.config().text().numKvHeads() < m.config().text().numHeads(), "grouped-query attention");
            assertEquals(-2, m.config().visionFeatureLayer());
            assertTrue(!m.config().prefixAttention());
            double gap = maxGap(m, "input_ids", "logits", DataType.FLOAT32);
            assertTrue(gap < TOLERANCE, "max |logit difference| " + gap);
        }
    }

    @Test
    void fullFeatureSelectionMatchesToo() throws IOException {
        Path dir = copyFixture();
        ObjectMapper json = new ObjectMapper();
        ObjectNode config = (ObjectNode) json.readTree(dir.resolve("config.json").toFile());
        config.put("vision_feature_select_strategy", "full").put("image_seq_length", 17);
        json.writeValue(dir.resolve("config.json").toFile(), config);
        try (ModelInstance m = ModelInstance.fromHuggingFace(dir, HfLoadOptions.defaults())) {
            double gap = maxGap(m, "input_ids_full", "logits_full", DataType.FLOAT32);
            assertTrue(gap < TOLERANCE, "max |logit difference| " + gap);
        }
    }

    @Test
    void halfPrecisionWeightsStayCloseForInference() throws IOException {
        try (ModelInstance m = ModelInstance.fromHuggingFace(TestModels.llavaFixture(),
                HfLoadOptions.defaults().withWeightType(DataType.FLOAT16))) {
            assertEquals(DataType.FLOAT16, m.model().weightType());
            double gap = maxGap(m, "input_ids", "logits", DataType.FLOAT16);
            // float16 keeps 11 significant bits: logits of a few units move by a few thousandths
            assertTrue(gap < 3e-2, "max |logit difference| " + gap);
        }
    }

    @Test
    void theLlavaTemplateEncodesTheFixturesPromptsAsThePythonTokenizerDid() {
        try (ModelInstance m = TestModels.llavaFixtureModel(); NDManager s = NDManager.newBaseManager()) {
            Map<String, NDArray> inputs = fixtureInputs(s);
            long[] expected = inputs.get("text_ids").toLongArray();
            int length = (int) inputs.get("text_ids").getShape().get(1);
            List<String> prompts = List.of("is the red shape a circle?", "is there a red thing?");
            List<String> responses = List.of("the red one.", "yes, a red crate.");
            for (int row = 0; row < 2; row++) {
                PromptFormat.Encoded e = m.format().encode(prompts.get(row), responses.get(row));
                assertArrayEquals(java.util.Arrays.copyOfRange(expected, row * length, (row + 1) * length), e.ids());
            }
        }
    }

    /** Largest |our logit - reference logit| over every text-aligned row of both sequences. */
    private static double maxGap(ModelInstance m, String idsKey, String logitsKey, DataType expectedWeights) {
        try (NDManager s = m.manager().newSubManager()) {
            Map<String, NDArray> inputs = fixtureInputs(s);
            NDArray textIds = inputs.get("text_ids");
            NDArray reference = inputs.get(logitsKey);
            long features = inputs.get(idsKey).getShape().get(1) - textIds.getShape().get(1) + 1;
            int placeholder = m.format().placeholder();
            NDArray ours = m.model().logits(m.model().imageFeatures(inputs.get("pixel_values")), textIds, placeholder);
            assertEquals(DataType.FLOAT32, ours.getDataType(), "logits are float32 whatever the weights");
            assertEquals(expectedWeights, m.model().weightType());
            // the reference has one row per image feature; ours one per text token, the placeholder's row being the
            // last image feature's
            NDArray aligned = reference.get(":, :{}, :", placeholder)
                    .concat(reference.get(":, {}:, :", placeholder + features - 1), 1);
            assertArrayEquals(ours.getShape().getShape(), aligned.getShape().getShape());
            return ours.sub(aligned).abs().max().getFloat();
        }
    }

    private static Map<String, NDArray> fixtureInputs(NDManager manager) {
        try {
            return Safetensors.read(TestModels.llavaFixture().resolve("inputs.safetensors"), manager).tensors();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private Path copyFixture() throws IOException {
        Path dir = temp.resolve("llava");
        Files.createDirectories(dir);
        try (var files = Files.list(TestModels.llavaFixture())) {
            for (Path f : files.toList()) {
                Files.copy(f, dir.resolve(f.getFileName()));
            }
        }
        return dir;
    }
}
