package io.tpostream.trainer.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.tpostream.trainer.image.RgbImage;
import io.tpostream.trainer.model.ModelInstance;
import io.tpostream.trainer.model.PromptFormat;
import io.tpostream.trainer.model.SequenceBatch;
import io.tpostream.trainer.tpo.ImageCorruptor;

import java.util.ArrayList;
import java.util.List;

/**
 * Visual-anchored token scores of given responses, without gradients: s = clean logit − corrupted logit of each
 * response token, the quantity TPO weights by. Used to show what a model's tokens depend on (reports, the object
 * vs function word statistic) and to trace objectives that do not compute it themselves.
 */
public final class TokenScorer {

    private final ModelInstance model;
    private final ImageCorruptor corruptor;

    public TokenScorer(ModelInstance model, ImageCorruptor corruptor) {
        this.model = model;
        this.corruptor = corruptor;
    }

    /** One response to score; {@code noiseId} seeds the corruption (use the pair id when there is one). */
    public record Request(RgbImage image, String prompt, String response, String noiseId) {
    }

    /** Response tokens (end token included) with their scores. */
    public record Scored(List<String> tokens, float[] scores) {
    }

    public List<Scored> score(List<Request> requests) {
        return io.tpostream.trainer.model.GradMode.disabled(() -> scoreWithoutGradients(requests));
    }

    private List<Scored> scoreWithoutGradients(List<Request> requests) {
        if (requests.isEmpty()) {
            return List.of();
        }
        PromptFormat format = model.format();
        List<PromptFormat.Encoded> seqs = requests.stream().map(r -> format.encode(r.prompt(), r.response())).toList();
        SequenceBatch batch = SequenceBatch.pad(seqs, format.tokenizer().padId());
        List<RgbImage> images = new ArrayList<>();
        requests.forEach(r -> images.add(r.image()));
        requests.forEach(r -> images.add(corruptor.corrupt(r.image(), r.noiseId())));
        int n = requests.size();
        try (NDManager scope = model.manager().newSubManager()) {
            NDArray features = model.model().imageFeatures(model.pixels(images, scope));
            NDArray ids = batch.idsArray(scope);
            NDArray logits = model.model().logits(features, NDArrays.concat(new NDList(ids, ids)), format.placeholder(),
                    batch.prefixLengthsRepeated(2));
            // row j predicts token j+1: gather each row's logit of the next token
            NDArray next = NDArrays.concat(new NDList(ids, ids)).get(":, 1:").toType(DataType.INT64, false).expandDims(-1);
            NDArray picked = logits.get(":, :-1, :").gather(next, -1).squeeze(-1);
            float[] flat = picked.get("0:{}", n).sub(picked.get("{}:", n)).toFloatArray();
            int width = batch.length() - 1;
            List<Scored> out = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                List<String> tokens = new ArrayList<>();
                List<Float> scores = new ArrayList<>();
                long[] labels = batch.labels()[i];
                for (int j = 1; j < labels.length; j++) {
                    if (labels[j] != PromptFormat.IGNORE) {
                        tokens.add(format.tokenizer().tokens(new long[] {labels[j]})[0]);
                        scores.add(flat[i * width + j - 1]);
                    }
                }
                float[] s = new float[scores.size()];
                for (int k = 0; k < s.length; k++) {
                    s[k] = scores.get(k);
                }
                out.add(new Scored(tokens, s));
            }
            return out;
        }
    }
}
