package io.tpostream.trainer.model;

import java.util.Arrays;
import java.util.Locale;

/**
 * How a (prompt, response) pair becomes token ids and training labels, in one of two templates:
 * <ul>
 *   <li>{@link Template#SCENE}: {@code <bos> <image> prompt <sep> response <eos>}, the synthetic world's format;</li>
 *   <li>{@link Template#LLAVA}: LLaVA-1.5's conversation, {@code <s>USER: <image>\n{prompt} ASSISTANT: response</s>}.</li>
 * </ul>
 * Labels equal the ids on the response and its end token and are {@link #IGNORE} elsewhere, in the unshifted
 * convention (logit row j predicts label j+1) the loss expects.
 *
 * <p>The LLaVA template is encoded in pieces around the {@code <image>} token (the text before it, the text after
 * it, the response), as a Hugging Face tokenizer splits text around an added special token anyway. That keeps the
 * placeholder at the same index for every prompt (the model splices all rows of a batch at one index) and matches
 * the joint encoding with LLaMA's tokenizer, whose normaliser starts every piece with "▁".
 */
public final class PromptFormat {

    /** Label of positions that are not trained (prompt, image, padding), as PyTorch's ignore_index. */
    public static final long IGNORE = -100;

    /** The image placeholder's index in every sequence of the scene template. */
    public static final int PLACEHOLDER = 1;

    /** The prompt templates. */
    public enum Template {
        SCENE("scene"),
        LLAVA("llava");

        private final String configName;

        Template(String configName) {
            this.configName = configName;
        }

        public String configName() {
            return configName;
        }

        /** The special tokens a tokenizer for this template usually has. */
        public TextTokenizer.SpecialTokens defaultSpecialTokens() {
            return this == SCENE ? TextTokenizer.SpecialTokens.scene() : TextTokenizer.SpecialTokens.llava();
        }

        public static Template fromName(String name) {
            for (Template t : values()) {
                if (t.configName.equals(name.toLowerCase(Locale.ROOT))) {
                    return t;
                }
            }
            throw new IllegalArgumentException("unknown prompt format '" + name + "': use scene or llava");
        }
    }

    static final String LLAVA_BEFORE_IMAGE = "USER: ";
    static final String LLAVA_AFTER_IMAGE = "\n%s ASSISTANT:";

    private final TextTokenizer tokenizer;
    private final Template template;
    private final long[] beforeImage;

    /** The scene template. */
    public PromptFormat(TextTokenizer tokenizer) {
        this(tokenizer, Template.SCENE);
    }

    public PromptFormat(TextTokenizer tokenizer, Template template) {
        this.tokenizer = tokenizer;
        this.template = template;
        this.beforeImage = template == Template.LLAVA ? tokenizer.encode(LLAVA_BEFORE_IMAGE) : new long[0];
        if (template == Template.SCENE) {
            tokenizer.separatorId(); // the scene template ends prompts with it: fail now, not at the first encode
        }
    }

    /** One encoded sequence: ids, labels (same length) and where the response starts. */
    public record Encoded(long[] ids, long[] labels, int responseStart) {
        public int length() {
            return ids.length;
        }
    }

    /** The index of the image placeholder, the same in every sequence this format encodes. */
    public int placeholder() {
        return 1 + beforeImage.length;
    }

    public Template template() {
        return template;
    }

    /** The prompt part alone, ending with the separator or "ASSISTANT:": what generation continues from. */
    public long[] promptIds(String prompt) {
        long[] after = template == Template.LLAVA
                ? tokenizer.encode(String.format(Locale.ROOT, LLAVA_AFTER_IMAGE, prompt))
                : concat(tokenizer.encode(prompt), new long[] {tokenizer.separatorId()});
        long[] ids = new long[placeholder() + 1 + after.length];
        ids[0] = tokenizer.bosId();
        System.arraycopy(beforeImage, 0, ids, 1, beforeImage.length);
        ids[placeholder()] = tokenizer.imageId();
        System.arraycopy(after, 0, ids, placeholder() + 1, after.length);
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

    private static long[] concat(long[] a, long[] b) {
        long[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    public TextTokenizer tokenizer() {
        return tokenizer;
    }
}
