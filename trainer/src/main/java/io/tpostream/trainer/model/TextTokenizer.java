package io.tpostream.trainer.model;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.Map;

/**
 * A {@code tokenizer.json} (Hugging Face tokenizers format) loaded through DJL's native tokenizer, plus the ids of
 * the special tokens the prompt format needs. The JSON bytes are kept, since every checkpoint carries its
 * tokenizer. Nothing is ever fetched from a hub.
 */
public final class TextTokenizer implements AutoCloseable {

    /**
     * The special tokens a prompt format uses, by their text in the vocabulary.
     *
     * @param pad       padding; null means the end token pads (LLaMA tokenizers often have no pad token)
     * @param separator what ends the prompt in the scene format; null for formats that have none (LLaVA)
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record SpecialTokens(@JsonProperty("pad") String pad, @JsonProperty("bos") String bos,
                                @JsonProperty("eos") String eos, @JsonProperty("image") String image,
                                @JsonProperty("separator") String separator) {

        public SpecialTokens {
            if (bos == null || eos == null || image == null) {
                throw new IllegalArgumentException("special tokens need bos, eos and image (pad and separator may be"
                        + " left out)");
            }
        }

        public static SpecialTokens scene() {
            return new SpecialTokens("<pad>", "<bos>", "<eos>", "<image>", "<sep>");
        }

        /** llava-hf's LLaMA tokenizer: {@code <s>}, {@code </s>}, and the added {@code <image>} and {@code <pad>}. */
        public static SpecialTokens llava() {
            return new SpecialTokens("<pad>", "<s>", "</s>", "<image>", null);
        }

        public SpecialTokens withPad(String newPad) {
            return new SpecialTokens(newPad, bos, eos, image, separator);
        }
    }

    private final byte[] json;
    private final HuggingFaceTokenizer tokenizer;
    private final Map<String, Long> vocabulary;
    private final String[] byId;
    private final long padId;
    private final long bosId;
    private final long eosId;
    private final long imageId;
    private final long separatorId;
    private final long unknownId;

    public TextTokenizer(byte[] tokenizerJson, SpecialTokens special) {
        this.json = tokenizerJson.clone();
        try {
            this.tokenizer = HuggingFaceTokenizer.newInstance(new ByteArrayInputStream(json),
                    Map.of("addSpecialTokens", "false", "padding", "false", "truncation", "false"));
            this.vocabulary = readVocabulary(json);
            this.unknownId = unknownTokenId(json, vocabulary);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot load tokenizer.json: " + e.getMessage(), e);
        }
        this.byId = new String[vocabulary.values().stream().mapToInt(Long::intValue).max().orElse(-1) + 1];
        vocabulary.forEach((token, id) -> byId[id.intValue()] = token);
        this.bosId = require(special.bos());
        this.eosId = require(special.eos());
        this.padId = special.pad() == null ? eosId : require(special.pad());
        this.imageId = require(special.image());
        this.separatorId = special.separator() == null ? -1 : require(special.separator());
    }

    private static Map<String, Long> readVocabulary(byte[] json) throws IOException {
        JsonNode root = new ObjectMapper().readTree(json);
        Map<String, Long> vocab = new HashMap<>();
        root.path("model").path("vocab").fields().forEachRemaining(e -> vocab.put(e.getKey(), e.getValue().asLong()));
        for (JsonNode added : root.path("added_tokens")) {
            vocab.put(added.get("content").asText(), added.get("id").asLong());
        }
        if (vocab.isEmpty()) {
            throw new IOException("tokenizer.json has no model.vocab: only WordLevel/BPE/WordPiece vocabularies are read");
        }
        return vocab;
    }

    /** The id of the model's unknown-word token ({@code model.unk_token}), or -1 if the tokenizer has none. */
    private static long unknownTokenId(byte[] json, Map<String, Long> vocabulary) throws IOException {
        JsonNode unk = new ObjectMapper().readTree(json).path("model").path("unk_token");
        Long id = unk.isTextual() ? vocabulary.get(unk.asText()) : null;
        return id == null ? -1 : id;
    }

    /**
     * The id text outside the vocabulary encodes to (e.g. {@code <unk>} of a word-level vocabulary); empty for
     * tokenizers that can spell any text (byte-level BPE).
     */
    public java.util.OptionalLong unknownId() {
        return unknownId < 0 ? java.util.OptionalLong.empty() : java.util.OptionalLong.of(unknownId);
    }

    private long require(String token) {
        Long id = vocabulary.get(token);
        if (id == null) {
            throw new IllegalArgumentException("the tokenizer has no special token '" + token + "'");
        }
        return id;
    }

    /** Ids of the text, without any special tokens added. */
    public long[] encode(String text) {
        Encoding e = tokenizer.encode(text, false, false);
        return e.getIds();
    }

    /** Text of the ids with special tokens left out. */
    public String decode(long[] ids) {
        return decode(ids, true);
    }

    public String decode(long[] ids, boolean skipSpecialTokens) {
        return tokenizer.decode(ids, skipSpecialTokens);
    }

    /**
     * The vocabulary text of each id, e.g. for showing per-token rewards.
     *
     * @throws IllegalArgumentException for an id outside the vocabulary
     */
    public String[] tokens(long[] ids) {
        String[] out = new String[ids.length];
        for (int i = 0; i < ids.length; i++) {
            long id = ids[i];
            if (id < 0 || id >= byId.length || byId[(int) id] == null) {
                throw new IllegalArgumentException("token id " + id + " is not in the vocabulary of " + byId.length);
            }
            out[i] = byId[(int) id];
        }
        return out;
    }

    /** The id of a token, e.g. a word of the vocabulary. */
    public long id(String token) {
        return require(token);
    }

    public int vocabSize() {
        return byId.length;
    }

    public byte[] json() {
        return json.clone();
    }

    public long padId() {
        return padId;
    }

    public long bosId() {
        return bosId;
    }

    public long eosId() {
        return eosId;
    }

    public long imageId() {
        return imageId;
    }

    /**
     * @throws IllegalStateException when the special tokens name no separator (LLaVA's format has none)
     */
    public long separatorId() {
        if (separatorId < 0) {
            throw new IllegalStateException("this tokenizer's special tokens have no separator");
        }
        return separatorId;
    }

    @Override
    public void close() {
        tokenizer.close();
    }
}
