package io.tpostream.trainer.model;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PromptFormatTest {

    /** The fixture's LLaMA-style tokenizer: ids of its vocabulary entries, as ops/parity/tiny_llava_spec.py lists them. */
    private static final long BOS = 1;
    private static final long EOS = 2;
    private static final long NEWLINE_BYTE = 3;
    private static final long SPACE = 4;
    private static final long COLON = 39;
    private static final long WORD_USER = 55;
    private static final long IMAGE = 56;
    private static final long PAD = 57;

    private static TextTokenizer llamaTokenizer(TextTokenizer.SpecialTokens special) throws IOException {
        return new TextTokenizer(Files.readAllBytes(TestModels.llavaFixture().resolve("tokenizer.json")), special);
    }

    @Test
    void llavaTemplateWrapsThePromptAsLlava15WasTrained() throws IOException {
        try (TextTokenizer t = llamaTokenizer(TextTokenizer.SpecialTokens.llava())) {
            PromptFormat f = new PromptFormat(t, PromptFormat.Template.LLAVA);
            assertEquals(4, f.placeholder());
            PromptFormat.Encoded e = f.encode("is the red shape a circle?", "the red one.");
            long[] ids = e.ids();
            assertArrayEquals(new long[] {BOS, WORD_USER, COLON, SPACE, IMAGE, SPACE, NEWLINE_BYTE}, Arrays.copyOf(ids, 7),
                    "<s> ▁USER : ▁ <image> ▁ \\n");
            assertEquals(COLON, ids[e.responseStart() - 1], "the prompt ends with ASSISTANT:");
            assertEquals("ASSISTANT:", t.decode(Arrays.copyOfRange(ids, e.responseStart() - 10, e.responseStart())).trim());
            assertEquals(EOS, ids[ids.length - 1]);
            assertEquals("the red one.", t.decode(Arrays.copyOfRange(ids, e.responseStart(), ids.length)));
            for (int i = 0; i < ids.length; i++) {
                long expected = i < e.responseStart() ? PromptFormat.IGNORE : ids[i];
                assertEquals(expected, e.labels()[i], "label " + i);
            }
            assertArrayEquals(f.promptIds("is the red shape a circle?"), Arrays.copyOf(ids, e.responseStart()));
            assertEquals(4, indexOf(f.promptIds("a different, longer prompt with more words?"), IMAGE),
                    "the placeholder index does not depend on the prompt");
            assertEquals(PAD, t.padId());
        }
    }

    @Test
    void aTokenizerWithoutPadTokenPadsWithTheEndToken() throws IOException {
        try (TextTokenizer t = llamaTokenizer(TextTokenizer.SpecialTokens.llava().withPad(null))) {
            assertEquals(EOS, t.padId());
            assertThrows(IllegalStateException.class, t::separatorId, "LLaVA's format has no separator");
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> new PromptFormat(t));
            assertTrue(e.getMessage().contains("separator"), e.getMessage());
        }
    }

    @Test
    void sceneTemplateIsUnchanged() {
        try (TextTokenizer t = new TextTokenizer(TestModels.tokenizerJson(), TextTokenizer.SpecialTokens.scene())) {
            PromptFormat f = new PromptFormat(t);
            assertEquals(PromptFormat.PLACEHOLDER, f.placeholder());
            PromptFormat.Encoded e = f.encode("describe the image .", "a red circle .");
            long[] expected = {t.bosId(), t.imageId(), t.id("describe"), t.id("the"), t.id("image"), t.id("."),
                    t.separatorId(), t.id("a"), t.id("red"), t.id("circle"), t.id("."), t.eosId()};
            assertArrayEquals(expected, e.ids());
            assertEquals(7, e.responseStart());
        }
    }

    private static int indexOf(long[] ids, long id) {
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] == id) {
                return i;
            }
        }
        return -1;
    }
}
