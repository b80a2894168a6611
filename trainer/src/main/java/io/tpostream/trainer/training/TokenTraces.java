package io.tpostream.trainer.training;

import io.tpostream.trainer.model.PromptFormat;
import io.tpostream.trainer.model.TextTokenizer;

import java.util.AbstractList;
import java.util.ArrayList;
import java.util.List;

/**
 * The per-token traces of a step, built when first read: the step copies the scores and weights to the host (the
 * engine arrays die with the step), but naming every token costs tokenizer look-ups that only a caller that keeps
 * traces (the online trainer's token-reward records) should pay for.
 */
final class TokenTraces extends AbstractList<PairTrace> {

    private final List<TrainingPair> pairs;
    private final Side chosen;
    private final Side rejected;
    private final TextTokenizer tokenizer;
    private List<PairTrace> built;

    /** One side's host copies; scores null when the objective computed none. */
    private record Side(TokenSlots slots, float[][] scores, float[][] weights) {
    }

    private TokenTraces(List<TrainingPair> pairs, Side chosen, Side rejected, TextTokenizer tokenizer) {
        this.pairs = pairs;
        this.chosen = chosen;
        this.rejected = rejected;
        this.tokenizer = tokenizer;
    }

    /** Copies what the traces need out of the step's arrays; call before the step's manager closes. */
    static List<PairTrace> of(List<TrainingPair> pairs, StepForward.Forward f, TextTokenizer tokenizer) {
        int n = pairs.size();
        return new TokenTraces(List.copyOf(pairs),
                new Side(f.chosen(), rows(f.result().chosenScores(), n), rows(f.result().chosenWeights(), n)),
                new Side(f.rejected(), rows(f.result().rejectedScores(), n), rows(f.result().rejectedWeights(), n)),
                tokenizer);
    }

    @Override
    public PairTrace get(int index) {
        return built().get(index);
    }

    @Override
    public int size() {
        return pairs.size();
    }

    private synchronized List<PairTrace> built() {
        if (built == null) {
            List<PairTrace> out = new ArrayList<>();
            for (int i = 0; i < pairs.size(); i++) {
                out.add(new PairTrace(pairs.get(i).pairId(), tokenValues(chosen, i), tokenValues(rejected, i)));
            }
            built = List.copyOf(out);
        }
        return built;
    }

    private List<PairTrace.TokenValue> tokenValues(Side side, int row) {
        long[] labels = side.slots().labels()[row];
        int[] slots = java.util.stream.IntStream.range(0, labels.length).filter(k -> labels[k] != PromptFormat.IGNORE)
                .toArray();
        String[] tokens = tokenizer.tokens(java.util.Arrays.stream(slots).mapToLong(k -> labels[k]).toArray());
        List<PairTrace.TokenValue> out = new ArrayList<>();
        for (int t = 0; t < slots.length; t++) {
            int k = slots[t];
            float score = side.scores() == null ? Float.NaN : side.scores()[row][k];
            float weight = side.weights() == null ? 1f : side.weights()[row][k];
            out.add(new PairTrace.TokenValue(side.slots().firstPosition()[row] + k, tokens[t], score, weight));
        }
        return out;
    }

    private static float[][] rows(ai.djl.ndarray.NDArray perToken, int count) {
        if (perToken == null) {
            return null;
        }
        float[] flat = perToken.toFloatArray();
        int width = flat.length / count;
        float[][] out = new float[count][];
        for (int i = 0; i < count; i++) {
            out[i] = java.util.Arrays.copyOfRange(flat, i * width, (i + 1) * width);
        }
        return out;
    }
}
