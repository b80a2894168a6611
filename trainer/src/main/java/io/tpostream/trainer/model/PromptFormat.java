package io.tpostream.trainer.model;

import java.util.Arrays;

/**
 * How a (prompt, response) pair becomes token ids and training labels:
 * {@code <bos> <image> prompt <sep> response <eos>}. Labels equal the ids on the response and its end token and
 * are {@link #IGNORE} elsewhere, in the unshifted convention (logit row j predicts label j+1) the loss expects.
 */
public final class PromptFormat {

    /** Label of positions that are not trained (prompt, image, padding), as PyTorch's ignore_index. */
    public static final long IGNORE = -100;

    /** The image placeholder's index in every encoded sequence. */
    public static final int PLACEHOLDER = 1;

    private final TextTokenizer tokenizer;

    public PromptFormat(TextTokenizer tokenizer) {
        this.tokenizer = tokenizer;
    }

    /** One encoded sequence: ids, labels (same length) and where the response starts. */
    public record Encoded(long[] ids, long[] labels, int responseStart) {
        public int length() {
            return ids.length;
        }
    }

    /** The prompt part alone, ending with the separator: what generation continues from. */
    public long[] promptIds(String prompt) {
        long[] text = tokenizer.encode(prompt);
        long[] ids = new long[text.length + 3];
        ids[0] = tokenizer.bosId();
        ids[PLACEHOLDER] = tokenizer.imageId();
        System.arraycopy(text, 0, ids, 2, text.length);
        ids[ids.length - 1] = tokenizer.separatorId();
        return ids;
    }

    public Encoded encode(String prompt, String response) {
        long[] head = promptIds(prompt);
        long[] answer = tokenizer.encode(response);
        long[] ids = Arrays.copyOf(head, head.length + answer.length + 1);
        System.arraycopy(answer, 0, ids, head.length, answer.length);
        ids[ids.length - 1] = tokenizer.eosId();
        long[] labels = new long[ids.length];
        Arrays.fill(labels, IGNORE);
        System.arraycopy(ids, head.length, labels, head.length, answer.length + 1);
        return new Encoded(ids, labels, head.length);
    }

    public TextTokenizer tokenizer() {
        return tokenizer;
    }
}
