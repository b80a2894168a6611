package io.tpostream.trainer.model;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * bfloat16 conversions done in Java. DJL 0.36's PyTorch engine terminates the process when asked to create or
 * cast to a bfloat16 tensor (measured: {@code toType(BFLOAT16)} and {@code create(buffer, BFLOAT16)} both abort),
 * so bf16 checkpoints are widened to float32 on load and narrowed on export here. Widening is exact.
 */
public final class Bfloat16 {

    private Bfloat16() {
    }

    /** Little-endian bf16 bytes to floats: the bf16 bits are the upper half of the float's bits. */
    public static float[] toFloats(byte[] littleEndian) {
        ByteBuffer in = ByteBuffer.wrap(littleEndian).order(ByteOrder.LITTLE_ENDIAN);
        float[] out = new float[littleEndian.length / 2];
        for (int i = 0; i < out.length; i++) {
            out[i] = Float.intBitsToFloat((in.getShort() & 0xFFFF) << 16);
        }
        return out;
    }

    /** Floats to little-endian bf16 bytes, rounding to nearest even as PyTorch does; NaN stays NaN. */
    public static byte[] fromFloats(float[] values) {
        ByteBuffer out = ByteBuffer.allocate(values.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            int bits = Float.floatToRawIntBits(v);
            short half;
            if (Float.isNaN(v)) {
                half = (short) ((bits >>> 16) | 0x0040);
            } else {
                int rounding = 0x7FFF + ((bits >>> 16) & 1);
                half = (short) ((bits + rounding) >>> 16);
            }
            out.putShort(half);
        }
        return out.array();
    }
}
