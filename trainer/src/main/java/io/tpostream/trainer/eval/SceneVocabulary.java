package io.tpostream.trainer.eval;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.tpostream.trainer.model.TextTokenizer;

import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Every token the world's text uses, and the project's HuggingFace {@code tokenizer.json} built from them: a
 * WordLevel model (one id per word), a lower-casing normalizer, and a pre-tokenizer that splits on whitespace
 * and isolates each punctuation character. No post-processor: callers add {@code <bos>}, {@code <sep>} and
 * {@code <eos>} themselves, where the model layout needs them.
 *
 * <p>The generated JSON is also committed as the resource {@value #RESOURCE}; a test keeps the two equal.
 */
public final class SceneVocabulary {

    public static final String PAD = "<pad>";
    public static final String UNK = "<unk>";
    public static final String BOS = "<bos>";
    public static final String EOS = "<eos>";
    /** Placeholder that the model replaces by the image features. */
    public static final String IMAGE = "<image>";
    /** Between the prompt and the response. */
    public static final String SEP = "<sep>";

    public static final int PAD_ID = 0;
    public static final int UNK_ID = 1;
    public static final int BOS_ID = 2;
    public static final int EOS_ID = 3;
    public static final int IMAGE_ID = 4;
    public static final int SEP_ID = 5;

    public static final String RESOURCE = "/io/tpostream/trainer/eval/scene-tokenizer.json";

    private static final List<String> SPECIAL = List.of(PAD, UNK, BOS, EOS, IMAGE, SEP);
    private static final List<String> FUNCTION_WORDS = List.of(
            "a", "an", "and", ",", ".", "?", "describe", "the", "image", "is", "there", "yes", "no");
    private static final List<String> TOKENS = buildTokens();

    private SceneVocabulary() {
    }

    /** The special tokens, in id order (ids 0..5). */
    public static List<String> specialTokens() {
        return SPECIAL;
    }

    /** Every token, index = id. */
    public static List<String> tokens() {
        return TOKENS;
    }

    public static int size() {
        return TOKENS.size();
    }

    /** The id of a token, or {@link #UNK_ID} if it is not in the vocabulary. */
    public static int id(String token) {
        int i = TOKENS.indexOf(token);
        return i < 0 ? UNK_ID : i;
    }

    /** The committed tokenizer.json. */
    public static InputStream openResource() {
        InputStream in = SceneVocabulary.class.getResourceAsStream(RESOURCE);
        if (in == null) {
            throw new IllegalStateException("resource missing from the classpath: " + RESOURCE);
        }
        return in;
    }

    /** The committed tokenizer.json's bytes, as checkpoints carry them. */
    public static byte[] resourceBytes() {
        try (InputStream in = openResource()) {
            return in.readAllBytes();
        } catch (java.io.IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The scene world's tokenizer, loaded through DJL from the committed tokenizer.json. */
    public static TextTokenizer tokenizer() {
        return new TextTokenizer(resourceBytes(), TextTokenizer.SpecialTokens.scene());
    }

    /** The tokenizer.json text, 2-space indented, '\n' line ends, ending with a newline. */
    public static String tokenizerJson() {
        ObjectMapper mapper = new ObjectMapper();
        ObjectNode root = mapper.createObjectNode();
        root.put("version", "1.0");
        root.putNull("truncation");
        root.putNull("padding");
        ArrayNode added = root.putArray("added_tokens");
        for (int id = 0; id < SPECIAL.size(); id++) {
            added.addObject()
                    .put("id", id)
                    .put("content", SPECIAL.get(id))
                    .put("single_word", false)
                    .put("lstrip", false)
                    .put("rstrip", false)
                    .put("normalized", false)
                    .put("special", true);
        }
        root.putObject("normalizer").put("type", "Lowercase");
        ObjectNode pre = root.putObject("pre_tokenizer");
        pre.put("type", "Sequence");
        ArrayNode steps = pre.putArray("pretokenizers");
        steps.addObject().put("type", "WhitespaceSplit");
        steps.addObject().put("type", "Punctuation").put("behavior", "Isolated");
        root.putNull("post_processor");
        root.putNull("decoder");
        ObjectNode model = root.putObject("model");
        model.put("type", "WordLevel");
        ObjectNode vocab = model.putObject("vocab");
        for (int id = 0; id < TOKENS.size(); id++) {
            vocab.put(TOKENS.get(id), id);
        }
        model.put("unk_token", UNK);
        DefaultIndenter indenter = new DefaultIndenter("  ", "\n");
        DefaultPrettyPrinter printer = new DefaultPrettyPrinter()
                .withSeparators(Separators.createDefaultInstance()
                        .withObjectFieldValueSpacing(Separators.Spacing.AFTER))
                .withObjectIndenter(indenter)
                .withArrayIndenter(indenter);
        try {
            return mapper.writer(printer).writeValueAsString(root) + "\n";
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<String> buildTokens() {
        List<String> tokens = new ArrayList<>(SPECIAL);
        tokens.addAll(FUNCTION_WORDS);
        for (Colour c : Colour.values()) {
            tokens.add(c.word());
        }
        for (Shape s : Shape.values()) {
            tokens.add(s.word());
        }
        return List.copyOf(tokens);
    }
}
