package io.tpostream.ops.gpu;

import ai.djl.Device;
import io.tpostream.trainer.eval.SceneVocabulary;
import io.tpostream.trainer.model.ModelInstance;
import io.tpostream.trainer.model.VlmPresets;
import org.junit.jupiter.api.Test;

import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * CPU against CPU (what CI can run): with one PyTorch thread the two steps are the same computation, so every
 * difference must be exactly zero, and every trained parameter must have been compared.
 */
class ParityCheckTest {

    @Test
    void theSameStepTwiceOnTheCpuAgreesExactlyOnEveryTrainedParameter() {
        ParityCheck.Result r = ParityCheck.run(new ParityCheck.Settings("tiny", 2, 3, 1e-4, 1e-3), Device.cpu(),
                Device.cpu());

        assertTrue(r.passed(), r.toString());
        // preference training leaves the vision tower frozen and trains every other tensor
        try (ModelInstance model = ModelInstance.create(VlmPresets.tiny(SceneVocabulary.size(), SceneVocabulary.IMAGE_ID),
                SceneVocabulary.resourceBytes(), 3, Device.cpu())) {
            Set<String> trained = model.parameters().keySet().stream().filter(n -> !n.startsWith("vision_tower."))
                    .collect(Collectors.toSet());
            assertEquals(trained, r.gradients().stream().map(ParityCheck.Gradient::parameter).collect(Collectors.toSet()));
        }
        assertTrue(r.gradients().stream().allMatch(g -> g.referenceNorm() > 0), "every gradient is non-zero");
        assertTrue(r.gradients().stream().allMatch(g -> g.diff().maxAbsError() == 0), r.gradients().toString());
        assertEquals(0, r.metrics().get("loss").diff().maxAbsError());
        // policy = reference at the first step: the DPO-style loss is exactly ln 2
        assertEquals(Math.log(2), r.metrics().get("loss").reference(), 1e-6);
    }
}
