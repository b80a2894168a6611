package io.tpostream.trainer.eval;

import org.junit.jupiter.api.Test;

import java.util.List;

import static io.tpostream.trainer.eval.SceneTestData.kind;
import static org.junit.jupiter.api.Assertions.assertEquals;

class CaptionParserTest {

    @Test
    void canonicalCaptionsParseToTheirObjects() {
        assertEquals(List.of(kind("red circle"), kind("blue square"), kind("green cross")),
                CaptionParser.objects("a red circle , a blue square and a green cross ."));
        assertEquals(List.of(kind("orange triangle")), CaptionParser.objects("an orange triangle ."));
    }

    @Test
    void malformedOutputStillYieldsItsMentions() {
        // no articles, no final period, upper case, glued punctuation
        assertEquals(List.of(kind("red circle"), kind("blue square")),
                CaptionParser.objects("Red Circle,blue square"));
        // repeated objects are kept, in order
        assertEquals(List.of(kind("red circle"), kind("red circle"), kind("blue square")),
                CaptionParser.objects("a red circle and a red circle and a blue square ."));
        // unknown words, a colour without a shape, a shape without a colour, a truncated ending
        assertEquals(List.of(kind("green cross")),
                CaptionParser.objects("a <unk> red big circle , a green cross and a purple"));
        assertEquals(List.of(kind("yellow square")), CaptionParser.objects("square a yellow yellow square"));
        assertEquals(List.of(), CaptionParser.objects(""));
        assertEquals(List.of(), CaptionParser.objects("a . . and"));
    }
}
