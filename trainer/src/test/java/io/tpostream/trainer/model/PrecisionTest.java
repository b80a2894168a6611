package io.tpostream.trainer.model;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Why bfloat16 never reaches the engine: DJL 0.36 with PyTorch 2.7.1 kills the whole process ("terminate called
 * without an active exception", SIGABRT) when asked to create a bfloat16 tensor or cast to one, so it cannot be
 * caught. This test reproduces that in child JVMs; if it ever fails because the child survived, the engine has
 * learnt bfloat16 and the Java-side conversions in {@link Bfloat16} could give way to engine casts.
 */
class PrecisionTest {

    @TempDir
    Path workDir;

    @Test
    void theEngineAbortsTheProcessOnBfloat16() throws Exception {
        List<Process> children = new ArrayList<>();
        for (String way : List.of("create", "cast")) {
            children.add(probe(way));
        }
        for (Process child : children) {
            assertTrue(child.waitFor(120, TimeUnit.SECONDS), "the probe JVM hung");
            String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertFalse(output.contains("SURVIVED"), "the engine now holds bfloat16: " + output);
            assertFalse(output.contains("THREW"), "the engine now refuses bfloat16 with an exception: " + output);
            assertNotEquals(0, child.exitValue(), output);
        }
    }

    private Process probe(String way) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        return new ProcessBuilder(java, "-Xmx256m", "-XX:ErrorFile=" + workDir.resolve("hs_err_%p.log"),
                "-Dorg.slf4j.simpleLogger.log.ai.djl.util.cuda.CudaUtils=error",
                "-cp", System.getProperty("java.class.path"), Bfloat16EngineProbe.class.getName(), way)
                .directory(workDir.toFile()).redirectErrorStream(true).start();
    }

    @Test
    void widenedBfloat16NarrowsBackToItselfForEveryBitPattern() {
        byte[] all = new byte[2 * 65536];
        for (int bits = 0; bits < 65536; bits++) {
            all[2 * bits] = (byte) bits;
            all[2 * bits + 1] = (byte) (bits >>> 8);
        }
        float[] widened = Bfloat16.toFloats(all);
        byte[] back = Bfloat16.fromFloats(widened);
        int nans = 0;
        for (int bits = 0; bits < 65536; bits++) {
            float f = widened[bits];
            assertEquals(bits << 16, Float.floatToRawIntBits(f), "widening keeps the bits in the upper half");
            if (Float.isNaN(f)) {
                nans++;
                continue;
            }
            int narrowed = (back[2 * bits] & 0xFF) | (back[2 * bits + 1] & 0xFF) << 8;
            assertEquals(bits, narrowed, "bfloat16 0x" + Integer.toHexString(bits));
        }
        assertEquals(2 * 127, nans, "exponent all ones with a non-zero mantissa, either sign");
    }
}
