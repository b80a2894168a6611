package io.tpostream.trainer.eval;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

class SceneVocabularyTest {

    @Test
    void committedTokenizerJsonIsWhatTheCodeGenerates() throws IOException {
        String generated = SceneVocabulary.tokenizerJson();
        String committed;
        try (InputStream in = SceneVocabulary.openResource()) {
            committed = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        if (!generated.equals(committed)) {
            Path fresh = Path.of("target", "scene-tokenizer.json");
            Files.writeString(fresh, generated, StandardCharsets.UTF_8);
            fail("src/main/resources" + SceneVocabulary.RESOURCE + " is stale: copy " + fresh.toAbsolutePath()
                    + " over it and commit");
        }
    }

    @Test
    void specialTokensComeFirstWithFixedIds() {
        List<String> tokens = SceneVocabulary.tokens();
        assertEquals(List.of("<pad>", "<unk>", "<bos>", "<eos>", "<image>", "<sep>"), tokens.subList(0, 6));
        assertEquals(0, SceneVocabulary.PAD_ID);
        assertEquals(tokens.indexOf("<unk>"), SceneVocabulary.UNK_ID);
        assertEquals(tokens.indexOf("<bos>"), SceneVocabulary.BOS_ID);
        assertEquals(tokens.indexOf("<eos>"), SceneVocabulary.EOS_ID);
        assertEquals(tokens.indexOf("<image>"), SceneVocabulary.IMAGE_ID);
        assertEquals(tokens.indexOf("<sep>"), SceneVocabulary.SEP_ID);
    }

    @Test
    void everyColourAndShapeWordIsATokenOnce() {
        List<String> tokens = SceneVocabulary.tokens();
        assertEquals(tokens.size(), new HashSet<>(tokens).size());
        for (Colour c : Colour.values()) {
            assertEquals(1, tokens.stream().filter(c.word()::equals).count());
        }
        for (Shape s : Shape.values()) {
            assertEquals(1, tokens.stream().filter(s.word()::equals).count());
        }
        assertEquals(SceneVocabulary.UNK_ID, SceneVocabulary.id("pink"));
    }
}
