package io.tpostream.trainer.experiment;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The machine's large-GEMM rate through the same engine, threads and precision as the training step: the
 * denominator that makes a step's FLOP rate a fraction of what this machine can do, measured in the run rather than
 * taken from a datasheet.
 */
public final class GemmRate {

    private GemmRate() {
    }

    /** Median FLOP/s of {@code reps} float32 products of two n × n matrices, after two untimed ones. */
    public static double measure(Device device, int n, int reps) {
        try (NDManager manager = NDManager.newBaseManager(device)) {
            NDArray a = manager.randomNormal(new Shape(n, n));
            NDArray b = manager.randomNormal(new Shape(n, n));
            List<Double> rates = new ArrayList<>();
            for (int i = 0; i < reps + 2; i++) {
                try (NDManager scratch = manager.newSubManager()) {
                    long t0 = System.nanoTime();
                    NDArray c = a.matMul(b);
                    c.attach(scratch);
                    c.getFloat(0, 0); // waits for the product on an asynchronous device
                    double seconds = (System.nanoTime() - t0) / 1e9;
                    if (i >= 2) {
                        rates.add(2.0 * n * n * n / seconds);
                    }
                }
            }
            Collections.sort(rates);
            return rates.get(rates.size() / 2);
        }
    }
}
