package io.tpostream.trainer.eval;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * The world's tokenizer.json loaded through DJL's HuggingFace tokenizer, always from bytes we hold (the bundled
 * resource, a file, or a stream), never from a hub name, so nothing is downloaded. Nothing is added implicitly:
 * {@link #encode} returns the ids of the text only.
 *
 * <p>The id ↔ token table is read from the same JSON, because DJL does not expose the vocabulary.
 */
public final class SceneTokenizer implements AutoCloseable {

    private final HuggingFaceTokenizer tokenizer;
    private final String[] tokenById;
    private final Map<String, Long> idByToken;

    private SceneTokenizer(byte[] json) throws IOException {
        this.tokenById = readTokenTable(json);
        this.idByToken = new HashMap<>();
        for (int i = 0; i < tokenById.length; i++) {
            idByToken.put(tokenById[i], (long) i);
        }
        for (String special : SceneVocabulary.specialTokens()) {
            if (!idByToken.containsKey(special)) {
                throw new IOException("tokenizer.json lacks the special token " + special);
            }
        }
        // addSpecialTokens=false: no post-processor would add any, but say so in case a file brings one
        this.tokenizer = HuggingFaceTokenizer.newInstance(new ByteArrayInputStream(json),
                Map.of("addSpecialTokens", "false", "truncation", "false", "padding", "false"));
    }

    /** The bundled scene tokenizer. */
    public static SceneTokenizer load() {
        try (InputStream in = SceneVocabulary.openResource()) {
            return load(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot load " + SceneVocabulary.RESOURCE, e);
        }
    }

    public static SceneTokenizer load(Path tokenizerJson) throws IOException {
        return new SceneTokenizer(Files.readAllBytes(tokenizerJson));
    }

    public static SceneTokenizer load(InputStream tokenizerJson) throws IOException {
        return new SceneTokenizer(tokenizerJson.readAllBytes());
    }

    /** The ids of the text, without any special token added. */
    public long[] encode(String text) {
        return tokenizer.encode(text, false, false).getIds();
    }

    /** The text of the ids with special tokens left out: what a caption or answer says. */
    public String decode(long[] ids) {
        return decode(ids, true);
    }

    public String decode(long[] ids, boolean skipSpecialTokens) {
        return tokenizer.decode(ids, skipSpecialTokens);
    }

    /** Each id's token text (special tokens included), for per-token views such as reward traces. */
    public String[] tokens(long[] ids) {
        String[] out = new String[ids.length];
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] < 0 || ids[i] >= tokenById.length || tokenById[(int) ids[i]] == null) {
                throw new IllegalArgumentException("no token has id " + ids[i]);
            }
            out[i] = tokenById[(int) ids[i]];
        }
        return out;
    }

    public int vocabSize() {
        return tokenById.length;
    }

    /** The id of a token of the vocabulary. */
    public long id(String token) {
        Long id = idByToken.get(token);
        if (id == null) {
            throw new IllegalArgumentException("not in the vocabulary: " + token);
        }
        return id;
    }

    public long padId() {
        return id(SceneVocabulary.PAD);
    }

    public long unkId() {
        return id(SceneVocabulary.UNK);
    }

    public long bosId() {
        return id(SceneVocabulary.BOS);
    }

    public long eosId() {
        return id(SceneVocabulary.EOS);
    }

    public long imageId() {
        return id(SceneVocabulary.IMAGE);
    }

    public long sepId() {
        return id(SceneVocabulary.SEP);
    }

    @Override
    public void close() {
        tokenizer.close();
    }

    /** Model vocabulary plus added tokens, index = id; a gap in the ids stays null. */
    private static String[] readTokenTable(byte[] json) throws IOException {
        JsonNode root = new ObjectMapper().readTree(json);
        Map<Integer, String> byId = new HashMap<>();
        root.path("model").path("vocab").fields().forEachRemaining(e -> byId.put(e.getValue().asInt(), e.getKey()));
        for (JsonNode added : root.path("added_tokens")) {
            byId.put(added.path("id").asInt(), added.path("content").asText());
        }
        if (byId.isEmpty()) {
            throw new IOException("tokenizer.json has no vocabulary");
        }
        int size = byId.keySet().stream().mapToInt(Integer::intValue).max().orElseThrow() + 1;
        String[] table = new String[size];
        byId.forEach((id, token) -> table[id] = token);
        return table;
    }

    @Override
    public String toString() {
        return "SceneTokenizer[" + vocabSize() + " tokens: " + Arrays.toString(tokenById) + "]";
    }
}
