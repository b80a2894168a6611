package io.tpostream.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.tpostream.trainer.image.RgbImage;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Writes responses for images: greedy (temperature 0) or sampled, a batch of images at a time. The image
 * features are computed once per call and reused at every step; the text is re-run in full each step, which at
 * this model's sequence lengths (tens of tokens) costs less than managing a key/value cache.
 */
public final class CaptionGenerator {

    private final ModelInstance model;
    private final int maxNewTokens;

    public CaptionGenerator(ModelInstance model, int maxNewTokens) {
        this.model = model;
        this.maxNewTokens = maxNewTokens;
    }

    /** One generated response with its token ids (end token excluded). */
    public record Generation(String text, long[] ids) {
    }

    public List<Generation> generate(List<RgbImage> images, String prompt, double temperature, long seed) {
        return generate(images, images.stream().map(i -> prompt).toList(), temperature, seed);
    }

    /**
     * @param prompts     one prompt per image; prompts are grouped by length internally so each batch shares the
     *                    placeholder position and needs no left padding
     * @param temperature 0 for greedy decoding
     */
    public List<Generation> generate(List<RgbImage> images, List<String> prompts, double temperature, long seed) {
        return GradMode.disabled(() -> generateWithoutGradients(images, prompts, temperature, seed));
    }

    private List<Generation> generateWithoutGradients(List<RgbImage> images, List<String> prompts, double temperature,
                                                      long seed) {
        if (images.size() != prompts.size()) {
            throw new IllegalArgumentException(images.size() + " images but " + prompts.size() + " prompts");
        }
        Generation[] out = new Generation[images.size()];
        SplittableRandom random = new SplittableRandom(seed);
        PromptFormat format = model.format();
        // rows with prompts of equal token length decode together
        java.util.Map<Integer, List<Integer>> byLength = new java.util.TreeMap<>();
        List<long[]> promptIds = new ArrayList<>();
        for (int i = 0; i < prompts.size(); i++) {
            long[] ids = format.promptIds(prompts.get(i));
            promptIds.add(ids);
            byLength.computeIfAbsent(ids.length, k -> new ArrayList<>()).add(i);
        }
        for (List<Integer> rows : byLength.values()) {
            decode(rows, images, promptIds, temperature, random, out);
        }
        return Arrays.asList(out);
    }

    private void decode(List<Integer> rows, List<RgbImage> images, List<long[]> promptIds, double temperature,
                        SplittableRandom random, Generation[] out) {
        long eos = model.tokenizer().eosId();
        int n = rows.size();
        long[][] sequences = new long[n][];
        boolean[] done = new boolean[n];
        for (int r = 0; r < n; r++) {
            sequences[r] = promptIds.get(rows.get(r));
        }
        int promptLength = sequences[0].length;
        try (NDManager step = model.manager().newSubManager()) {
            NDArray features = model.model().imageFeatures(
                    model.pixels(rows.stream().map(images::get).toList(), step));
            for (int t = 0; t < maxNewTokens && !allDone(done); t++) {
                try (NDManager inner = step.newSubManager()) {
                    int length = sequences[0].length;
                    long[] flat = new long[n * length];
                    for (int r = 0; r < n; r++) {
                        System.arraycopy(sequences[r], 0, flat, r * length, length);
                    }
                    NDArray ids = inner.create(flat, new ai.djl.ndarray.types.Shape(n, length));
                    int[] prefixes = new int[n];
                    java.util.Arrays.fill(prefixes, promptLength);
                    NDArray logits = model.model().logits(features, ids, model.format().placeholder(), prefixes)
                            .get(":, -1, :");
                    long[] next = temperature <= 0 ? argmax(logits) : sample(logits, temperature, random);
                    for (int r = 0; r < n; r++) {
                        long token = done[r] ? model.tokenizer().padId() : next[r];
                        sequences[r] = Arrays.copyOf(sequences[r], length + 1);
                        sequences[r][length] = token;
                        done[r] |= token == eos;
                    }
                }
            }
        }
        for (int r = 0; r < n; r++) {
            long[] response = Arrays.copyOfRange(sequences[r], promptLength, sequences[r].length);
            int end = 0;
            while (end < response.length && response[end] != eos && response[end] != model.tokenizer().padId()) {
                end++;
            }
            long[] ids = Arrays.copyOf(response, end);
            out[rows.get(r)] = new Generation(model.tokenizer().decode(ids), ids);
        }
    }

    private static boolean allDone(boolean[] done) {
        for (boolean d : done) {
            if (!d) {
                return false;
            }
        }
        return true;
    }

    private static long[] argmax(NDArray logits) {
        return logits.argMax(-1).toLongArray();
    }

    private static long[] sample(NDArray logits, double temperature, SplittableRandom random) {
        float[] probs = logits.div((float) temperature).softmax(-1).toFloatArray();
        int vocab = (int) logits.getShape().get(1);
        long[] out = new long[probs.length / vocab];
        for (int r = 0; r < out.length; r++) {
            double u = random.nextDouble();
            double cumulative = 0;
            int pick = vocab - 1;
            for (int v = 0; v < vocab; v++) {
                cumulative += probs[r * vocab + v];
                if (u < cumulative) {
                    pick = v;
                    break;
                }
            }
            out[r] = pick;
        }
        return out;
    }
}
