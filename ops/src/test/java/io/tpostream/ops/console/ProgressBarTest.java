package io.tpostream.ops.console;

import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProgressBarTest {

    @Test
    void inALogTheBarIsPlainLinesEndingWithTheFinalStateAndTheLatestLabel() {
        StringWriter text = new StringWriter();
        ProgressBar bar = new ProgressBar(new PrintWriter(text), false);
        for (int done = 0; done <= 40; done++) {
            bar.update("status " + done, done, 40);
        }
        List<String> lines = text.toString().lines().toList();
        assertTrue(!lines.isEmpty() && lines.size() <= 3, "throttled to a line every few seconds: " + lines);
        String last = lines.get(lines.size() - 1);
        assertTrue(last.contains("100%") && last.contains("40/40") && last.endsWith("status 40"), last);
        assertTrue(lines.stream().noneMatch(l -> l.contains("\r")), "no carriage returns in a log");
    }

    @Test
    void onATerminalTheLineIsRedrawnInPlaceAndEndsWithANewline() {
        StringWriter text = new StringWriter();
        ProgressBar bar = new ProgressBar(new PrintWriter(text), true);
        bar.update("copying", 3, 10);
        bar.update("copying", 10, 10);
        String out = text.toString();
        assertTrue(out.startsWith("\r"), out);
        assertTrue(out.endsWith(System.lineSeparator()), out);
        assertTrue(out.contains("10/10"), out);
        assertEquals("1m05s", ProgressBar.duration(65));
    }
}
