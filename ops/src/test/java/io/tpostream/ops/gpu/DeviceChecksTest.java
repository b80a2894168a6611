package io.tpostream.ops.gpu;

import ai.djl.engine.EngineException;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DeviceChecksTest {

    @Test
    void aCheckMustBeNamed() {
        CommandLine cli = DeviceChecks.commandLine();
        StringWriter err = new StringWriter();
        cli.setErr(new PrintWriter(err));
        assertEquals(2, cli.execute());
        assertTrue(err.toString().contains("missing check: golden, parity or bench"), err.toString());
    }

    @Test
    void everyCheckHasHelpWithDefaults() {
        for (String check : new String[] {"golden", "parity", "bench"}) {
            CommandLine cli = DeviceChecks.commandLine();
            StringWriter out = new StringWriter();
            cli.setOut(new PrintWriter(out));
            assertEquals(0, cli.execute(check, "--help"), check);
            assertTrue(out.toString().startsWith("Usage: gpu-check " + check), out.toString());
        }
    }

    @Test
    void cudaOutOfMemoryAnywhereInTheCausesMeansTheModelDoesNotFit() {
        // the message libtorch gives, wrapped as DJL and our code wrap it
        RuntimeException wrapped = new IllegalStateException("step failed", new EngineException(
                "CUDA out of memory. Tried to allocate 2.00 GiB (GPU 0; 79.11 GiB total capacity)"));
        assertTrue(DeviceChecks.outOfMemory(wrapped));
        assertFalse(DeviceChecks.outOfMemory(new EngineException("Expected all tensors to be on the same device")));
    }
}
