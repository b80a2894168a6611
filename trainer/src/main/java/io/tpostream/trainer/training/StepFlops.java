package io.tpostream.trainer.training;

import io.tpostream.trainer.model.VlmConfig;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The floating-point operations one preference step executes, counted per layer from the shapes the step actually
 * computes (rows, sequence lengths, head rows), not from a parameters-times-tokens rule of thumb.
 *
 * <p>What counts: every matrix product (the linear layers, the patch convolution, attention's QKᵀ and its weighted
 * sum of values over the full padded key length, which the engine computes whatever the mask says, the vocabulary
 * head and the label-row dot products) at 2 FLOPs per multiply-add. Element-wise work (norms, softmax, rotary,
 * activations, the loss) is left out: it is a few percent here and not what a GEMM rate measures.
 *
 * <p>Backward: the reference runs forward only. The policy's backward costs two products per forward product (the
 * gradient of the input and of the weight) where both are needed; the vision tower, frozen by default, has no
 * backward at all (its input, the pixels, needs no gradient either), and the projector's first layer computes only its
 * weight gradient. LoRA adapters are not counted (the benchmark trains full weights).
 *
 * @param perLayer forward FLOPs of one pass by part (vision, projector, decoder, attention, head), policy and
 *                 reference summed
 * @param total    forward of both models plus the policy's backward
 */
public record StepFlops(Map<String, Double> perLayer, double total) {

    /**
     * The shape of one model's pass over a batch.
     *
     * @param images        images through the vision tower (pairs × image variants)
     * @param decoderRows   rows through the decoder
     * @param decoderLength positions per decoder row (image features included)
     * @param fullHeadRows  positions where the full-vocabulary head runs
     * @param labelHeadRows positions where only the label's logit is computed
     */
    public record PassShape(long images, long decoderRows, long decoderLength, long fullHeadRows, long labelHeadRows) {
    }

    /** Counts a step: one reference pass and one policy pass of {@code shape}, with the policy's backward. */
    public static StepFlops of(VlmConfig config, PassShape shape, boolean trainVisionTower) {
        Parts forward = Parts.forward(config, shape);
        Map<String, Double> perLayer = new LinkedHashMap<>();
        forward.asMap().forEach((name, flops) -> perLayer.put(name, 2 * flops));
        double visionBackward = trainVisionTower ? 2 * forward.vision : 0;
        // the projector's first layer needs no input gradient: its input comes from the (frozen) tower
        double projectorBackward = 2 * forward.projector - forward.projectorFirst * (trainVisionTower ? 0 : 1);
        double policyBackward = visionBackward + projectorBackward
                + 2 * (forward.decoder + forward.attention + forward.head);
        return new StepFlops(perLayer, 2 * forward.sum() + policyBackward);
    }

    /** Forward FLOPs of one pass, by part. */
    private record Parts(double vision, double projector, double projectorFirst, double decoder, double attention,
                         double head) {

        static Parts forward(VlmConfig config, PassShape s) {
            VlmConfig.VisionConfig v = config.vision();
            VlmConfig.TextConfig t = config.text();
            long tokens = v.numPatches() + 1L; // the class token runs through the tower too
            int layers = config.featureHiddenStateIndex();
            double patchEmbedding = 2.0 * v.numPatches() * 3 * v.patchSize() * v.patchSize() * v.hiddenSize();
            double visionLayer = tokens * (2.0 * 4 * v.hiddenSize() * v.hiddenSize()
                    + 2.0 * 2 * v.hiddenSize() * v.intermediateSize())
                    + 2.0 * 2 * tokens * tokens * v.hiddenSize();
            double vision = s.images() * (patchEmbedding + layers * visionLayer);

            long features = config.imageSeqLength();
            double projectorFirst = s.images() * 2.0 * features * v.hiddenSize() * t.hiddenSize();
            double projector = projectorFirst + s.images() * 2.0 * features * t.hiddenSize() * t.hiddenSize();

            int d = t.hiddenSize();
            int kv = t.numKvHeads() * t.headDim();
            double perPosition = 2.0 * (2L * d * d + 2L * d * kv + 3L * d * t.intermediateSize());
            double positions = (double) s.decoderRows() * s.decoderLength();
            double decoder = t.numLayers() * positions * perPosition;
            // QKᵀ and weights·V, each 2·L·L·(heads·headDim) per row, over the full padded length
            double attention = t.numLayers() * 2.0 * 2 * s.decoderRows() * s.decoderLength() * s.decoderLength() * d;
            double head = 2.0 * d * ((double) s.fullHeadRows() * t.vocabSize() + s.labelHeadRows());
            return new Parts(vision, projector, projectorFirst, decoder, attention, head);
        }

        double sum() {
            return vision + projector + decoder + attention + head;
        }

        Map<String, Double> asMap() {
            Map<String, Double> out = new LinkedHashMap<>();
            out.put("vision", vision);
            out.put("projector", projector);
            out.put("decoder", decoder);
            out.put("attention", attention);
            out.put("head", head);
            return out;
        }
    }
}
