package io.tpostream.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Run in a child JVM by {@link PrecisionTest}: asks the engine for a bfloat16 tensor, one way per run, and prints
 * {@code SURVIVED} if the process is still alive afterwards.
 */
public final class Bfloat16EngineProbe {

    private Bfloat16EngineProbe() {
    }

    public static void main(String[] args) {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray result;
            if (args[0].equals("create")) {
                ByteBuffer bytes = ByteBuffer.allocateDirect(8).order(ByteOrder.nativeOrder());
                bytes.put(Bfloat16.fromFloats(new float[] {1f, 2f, 3f, 4f})).flip();
                result = manager.create(bytes, new Shape(4), DataType.BFLOAT16);
            } else {
                result = manager.create(new float[] {1f, 2f, 3f, 4f}).toType(DataType.BFLOAT16, false);
            }
            System.out.println("SURVIVED " + result.getDataType());
        } catch (RuntimeException e) {
            System.out.println("THREW " + e);
        }
    }
}
