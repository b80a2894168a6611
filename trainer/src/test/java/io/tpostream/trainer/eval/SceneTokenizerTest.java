package io.tpostream.trainer.eval;

import io.tpostream.trainer.model.TextTokenizer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Loads the bundled tokenizer.json through DJL (native library from the jar, no network). */
class SceneTokenizerTest {
    // the scene world's tokenizer.json through the general TextTokenizer the model uses

    private static TextTokenizer tokenizer;

    @BeforeAll
    static void load() {
        tokenizer = SceneVocabulary.tokenizer();
    }

    @AfterAll
    static void close() {
        tokenizer.close();
    }

    /** Every text form the world produces. */
    private static List<String> allTextForms() {
        List<String> texts = new ArrayList<>(List.of(SceneText.CAPTION_PROMPT, SceneText.YES, SceneText.NO));
        for (ObjectKind k : ObjectKind.ALL) {
            texts.add(SceneText.question(k));
            texts.add(SceneText.caption(List.of(k)));
        }
        SplittableRandom rng = new SplittableRandom(1);
        for (SceneWorld world : new SceneWorld[]{SceneWorld.training(), SceneWorld.unbiased()}) {
            for (int i = 0; i < 100; i++) {
                Scene s = world.scene(2, i);
                texts.add(SceneText.caption(s));
                texts.add(SceneText.hallucinate(s, rng));
                texts.add(SceneText.withWrongAttribute(s, rng));
            }
        }
        return texts;
    }

    @Test
    void everyTextFormRoundTripsWithTheVocabularysIds() {
        for (String text : allTextForms()) {
            long[] ids = tokenizer.encode(text);
            // the canonical forms are space-separated tokens, so the vocabulary alone predicts the ids
            long[] expected = java.util.Arrays.stream(text.split(" ")).mapToLong(SceneVocabulary::id).toArray();
            assertArrayEquals(expected, ids, text);
            for (long id : ids) {
                if (id == SceneVocabulary.UNK_ID) {
                    throw new AssertionError("unknown word in " + text);
                }
            }
            assertEquals(text, tokenizer.decode(ids), text);
            assertEquals(text, String.join(" ", tokenizer.tokens(ids)));
        }
    }

    @Test
    void specialTokenIdsAndVocabularySize() {
        assertEquals(SceneVocabulary.size(), tokenizer.vocabSize());
        assertEquals(29, tokenizer.vocabSize());
        assertEquals(0, tokenizer.padId());
        assertEquals(1, tokenizer.id(SceneVocabulary.UNK));
        assertEquals(2, tokenizer.bosId());
        assertEquals(3, tokenizer.eosId());
        assertEquals(4, tokenizer.imageId());
        assertEquals(5, tokenizer.separatorId());
    }

    @Test
    void specialTokensAreNeverAddedButAreRecognisedInText() {
        long[] caption = tokenizer.encode("a red circle .");
        assertEquals(4, caption.length);
        long[] framed = tokenizer.encode("<image> describe the image . <sep> a red circle . <eos>");
        assertEquals(tokenizer.imageId(), framed[0]);
        assertEquals(tokenizer.separatorId(), framed[5]);
        assertEquals(tokenizer.eosId(), framed[framed.length - 1]);
        assertEquals("describe the image . a red circle .", tokenizer.decode(framed));
        assertEquals("<image> describe the image . <sep> a red circle . <eos>", tokenizer.decode(framed, false));
        assertArrayEquals(new String[]{"<bos>", "a", "<eos>"},
                tokenizer.tokens(new long[]{tokenizer.bosId(), SceneVocabulary.id("a"), tokenizer.eosId()}));
    }

    @Test
    void normalisesCaseSplitsPunctuationAndMapsUnknownWordsToUnk() {
        assertArrayEquals(tokenizer.encode("a red circle , a blue square ."), tokenizer.encode("A Red circle,a BLUE square."));
        long[] ids = tokenizer.encode("a pink circle");
        assertEquals(SceneVocabulary.UNK_ID, ids[1]);
        assertThrows(IllegalArgumentException.class, () -> tokenizer.tokens(new long[]{99}));
    }

    @Test
    void loadsFromAFileAsWell(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("tokenizer.json");
        Files.writeString(file, SceneVocabulary.tokenizerJson());
        try (TextTokenizer fromFile = new TextTokenizer(Files.readAllBytes(file), TextTokenizer.SpecialTokens.scene())) {
            String text = "is there an orange cross ?";
            assertArrayEquals(tokenizer.encode(text), fromFile.encode(text));
        }
    }
}
