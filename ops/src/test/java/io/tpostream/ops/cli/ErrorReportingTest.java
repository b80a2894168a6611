package io.tpostream.ops.cli;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.util.concurrent.TimeoutException;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ErrorReportingTest {

    @Test
    void messageWithItsRootCauseWhenThatAddsSomething() {
        assertEquals("cannot read x (cause: disk on fire)", ErrorReporting.describe(
                new IllegalStateException("cannot read x", new UncheckedIOException(new IOException("disk on fire")))));
    }

    @Test
    void noRepetitionAndNoEmptyCauses() {
        assertEquals("cannot read x: disk on fire", ErrorReporting.describe(
                new IllegalStateException("cannot read x: disk on fire", new IOException("disk on fire"))));
        assertEquals("no answer", ErrorReporting.describe(new IllegalStateException("no answer", new TimeoutException())));
        assertEquals("NullPointerException", ErrorReporting.describe(new NullPointerException()));
        assertEquals("no such file or directory: /x/base.ckpt",
                ErrorReporting.describe(new NoSuchFileException("/x/base.ckpt")));
        assertEquals("cannot load the base (cause: permission denied: /x/base.ckpt)", ErrorReporting.describe(
                new UncheckedIOException("cannot load the base", new AccessDeniedException("/x/base.ckpt"))));
    }
}
