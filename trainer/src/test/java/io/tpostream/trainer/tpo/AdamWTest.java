package io.tpostream.trainer.tpo;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AdamWTest {

    private static final float[] W0 = {0.5f, -1.25f, 2f};
    private static final float[] B0 = {0.75f, -0.125f};
    /** Gradients for w (first 3) and b (last 2) at each of four steps. */
    private static final double[][] GRADIENTS = {
            {0.3, -1.2, 2.0, 0.5, -0.1},
            {-0.7, 0.4, 1.5, -2.5, 0.05},
            {1.1, 1.1, -0.3, 0.2, 3.0},
            {0.01, -0.02, 0.6, -1.4, 0.9}};

    private NDManager manager;

    @BeforeEach
    void open() {
        manager = NDManager.newBaseManager();
    }

    @AfterEach
    void close() {
        manager.close();
    }

    private Map<String, NDArray> parameters() {
        Map<String, NDArray> parameters = new LinkedHashMap<>();
        parameters.put("w", manager.create(W0.clone()));
        parameters.put("b", manager.create(B0.clone()));
        parameters.values().forEach(p -> p.setRequiresGradient(true));
        return parameters;
    }

    /** Makes the gradient of each parameter exactly {@code gradient}: the gradient of sum(p * gradient). */
    private void setGradients(Map<String, NDArray> parameters, double[] gradient) {
        AdamW.zeroGradients(parameters.values());
        try (NDManager scope = manager.newSubManager();
             GradientCollector collector = Engine.getInstance().newGradientCollector()) {
            NDArray loss = scope.create(new float[] {0f});
            int offset = 0;
            for (NDArray p : parameters.values()) {
                float[] g = new float[(int) p.size()];
                for (int i = 0; i < g.length; i++) {
                    g[i] = (float) gradient[offset + i];
                }
                offset += g.length;
                loss = loss.add(scope.create(g).mul(p).sum());
            }
            collector.backward(loss);
        }
    }

    private static float[] concat(Map<String, NDArray> parameters) {
        float[] w = parameters.get("w").toFloatArray();
        float[] b = parameters.get("b").toFloatArray();
        float[] out = new float[w.length + b.length];
        System.arraycopy(w, 0, out, 0, w.length);
        System.arraycopy(b, 0, out, w.length, b.length);
        return out;
    }

    /** AdamW as PyTorch defines it, in plain doubles: the independent expectation. */
    private static final class HandAdamW {
        final double[] p;
        final double[] m;
        final double[] v;
        int t;
        double lastNorm;

        HandAdamW(float[] initial) {
            p = new double[initial.length];
            for (int i = 0; i < p.length; i++) {
                p[i] = initial[i];
            }
            m = new double[p.length];
            v = new double[p.length];
        }

        void step(double[] g, double lr, AdamWConfig c) {
            double sumSq = 0;
            for (double x : g) {
                sumSq += (double) (float) x * (float) x;
            }
            lastNorm = Math.sqrt(sumSq);
            double scale = lastNorm > c.maxGradNorm() ? c.maxGradNorm() / (lastNorm + 1e-6) : 1;
            t++;
            for (int i = 0; i < p.length; i++) {
                double gi = (float) g[i] * scale;
                p[i] *= 1 - lr * c.weightDecay();
                m[i] = c.beta1() * m[i] + (1 - c.beta1()) * gi;
                v[i] = c.beta2() * v[i] + (1 - c.beta2()) * gi * gi;
                double mHat = m[i] / (1 - Math.pow(c.beta1(), t));
                double denominator = Math.sqrt(v[i]) / Math.sqrt(1 - Math.pow(c.beta2(), t)) + c.epsilon();
                p[i] -= lr * mHat / denominator;
            }
        }
    }

    private void checkAgainstHand(AdamWConfig config, double[] learningRates, boolean expectClipped) {
        Map<String, NDArray> parameters = parameters();
        HandAdamW hand = new HandAdamW(concat(parameters));
        try (AdamW optimizer = new AdamW(parameters, config)) {
            for (int s = 0; s < GRADIENTS.length; s++) {
                setGradients(parameters, GRADIENTS[s]);
                AdamW.StepResult result = optimizer.step(learningRates[s]);
                hand.step(GRADIENTS[s], learningRates[s], config);
                assertTrue(result.applied());
                assertEquals(s + 1, result.step());
                assertEquals(hand.lastNorm, result.gradNorm(), 1e-6 * hand.lastNorm);
                assertEquals(expectClipped, result.clipped());
                float[] actual = concat(parameters);
                for (int i = 0; i < actual.length; i++) {
                    assertEquals(hand.p[i], actual[i], 2e-6, "step " + (s + 1) + " parameter " + i);
                }
            }
        }
    }

    @Test
    void updatesMatchHandComputedAdam() {
        checkAgainstHand(AdamWConfig.defaults().withMaxGradNorm(Double.POSITIVE_INFINITY),
                new double[] {0.1, 0.1, 0.05, 0.02}, false);
    }

    @Test
    void updatesMatchHandComputedAdamWithDecoupledWeightDecay() {
        checkAgainstHand(new AdamWConfig(0.8, 0.99, 1e-6, 0.1, Double.POSITIVE_INFINITY),
                new double[] {0.05, 0.2, 0.1, 0.1}, false);
    }

    @Test
    void updatesMatchHandComputedAdamWithClipping() {
        // every gradient above has a global norm over 1.5, so a 0.5 limit clips each step
        checkAgainstHand(AdamWConfig.defaults().withMaxGradNorm(0.5).withWeightDecay(0.01),
                new double[] {0.1, 0.1, 0.1, 0.1}, true);
    }

    @Test
    void nonFiniteGradientsSkipTheStepAndTouchNothing() {
        Map<String, NDArray> parameters = parameters();
        NDArray w = parameters.get("w");
        try (AdamW optimizer = new AdamW(parameters, AdamWConfig.defaults())) {
            setGradients(parameters, GRADIENTS[0]);
            optimizer.step(0.1);
            float[] before = concat(parameters);
            Map<String, NDArray> stateBefore = optimizer.exportState(manager);

            for (double bad : new double[] {Double.NaN, Double.POSITIVE_INFINITY}) {
                setGradients(parameters, new double[] {0.1, bad, 0.2, 0.3, 0.4});
                AdamW.StepResult result = optimizer.step(0.1);
                assertFalse(result.applied());
                assertFalse(Double.isFinite(result.gradNorm()));
                assertEquals(1, result.step());
                assertEquals(1, optimizer.stepCount());
                assertArrayEquals(before, concat(parameters));
                Map<String, NDArray> stateAfter = optimizer.exportState(manager);
                for (String key : stateBefore.keySet()) {
                    assertEquals(stateBefore.get(key), stateAfter.get(key), key);
                }
            }
            // zeroing clears the poisoned gradients and training goes on
            setGradients(parameters, GRADIENTS[1]);
            assertTrue(optimizer.step(0.1).applied());
            assertSame(w, parameters.get("w"));
        }
    }

    @Test
    void gradientsAccumulateUntilZeroed() {
        Map<String, NDArray> parameters = parameters();
        NDArray w = parameters.get("w");
        for (int pass = 0; pass < 2; pass++) {
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                collector.backward(w.sum());
            }
        }
        assertArrayEquals(new float[] {2f, 2f, 2f}, w.getGradient().toFloatArray());
        w.getGradient().set(new float[] {Float.NaN, 1f, Float.POSITIVE_INFINITY});
        AdamW.zeroGradients(List.of(w));
        assertArrayEquals(new float[] {0f, 0f, 0f}, w.getGradient().toFloatArray());
        try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
            collector.backward(w.sum());
        }
        assertArrayEquals(new float[] {1f, 1f, 1f}, w.getGradient().toFloatArray(), "the zeroed gradient stays live");
    }

    @Test
    void parametersAreUpdatedInPlaceAndFrozenOnesAreSkipped() {
        Map<String, NDArray> parameters = parameters();
        NDArray frozen = manager.create(new float[] {4f, 5f});
        parameters.put("frozen", frozen);
        NDArray w = parameters.get("w");
        try (AdamW optimizer = new AdamW(parameters, AdamWConfig.defaults())) {
            setGradients(Map.of("w", w, "b", parameters.get("b")), GRADIENTS[0]);
            optimizer.step(0.1);
            assertSame(w, optimizer.parameters().get("w"));
            assertFalse(w.toFloatArray()[0] == W0[0], "w moved");
            assertArrayEquals(new float[] {4f, 5f}, frozen.toFloatArray());
        }
    }

    @Test
    void exportedStateResumesTheSameTrajectory() {
        Map<String, NDArray> original = parameters();
        Map<String, NDArray> resumed = parameters();
        AdamWConfig config = AdamWConfig.defaults().withWeightDecay(0.01);
        try (AdamW first = new AdamW(original, config); AdamW second = new AdamW(resumed, config)) {
            for (int s = 0; s < 3; s++) {
                setGradients(original, GRADIENTS[s]);
                first.step(0.1);
            }
            Map<String, NDArray> state = first.exportState(manager);
            assertEquals(List.of("step", "m/w", "m/b", "v/w", "v/b"), List.copyOf(state.keySet()));
            resumed.get("w").set(original.get("w").toFloatArray());
            resumed.get("b").set(original.get("b").toFloatArray());
            second.importState(state);
            assertEquals(3, second.stepCount());

            setGradients(original, GRADIENTS[3]);
            setGradients(resumed, GRADIENTS[3]);
            first.step(0.05);
            second.step(0.05);
            assertArrayEquals(concat(original), concat(resumed));
        }
    }

    @Test
    void stateThatDoesNotFitIsRejected() {
        Map<String, NDArray> parameters = parameters();
        try (AdamW optimizer = new AdamW(parameters, AdamWConfig.defaults())) {
            Map<String, NDArray> state = optimizer.exportState(manager);
            state.remove("v/b");
            state.put("m/w", manager.zeros(new Shape(4)));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> optimizer.importState(state));
            assertTrue(e.getMessage().contains("v/b missing") && e.getMessage().contains("m/w has shape (4)"),
                    e.getMessage());
            state.remove("step");
            assertThrows(IllegalArgumentException.class, () -> optimizer.importState(state));
        }
    }

    @Test
    void fiveHundredStepsLeaveNoArraysBehind() {
        Map<String, NDArray> parameters = new LinkedHashMap<>();
        parameters.put("weight", manager.randomNormal(new Shape(32, 16)));
        parameters.put("bias", manager.zeros(new Shape(16)));
        parameters.values().forEach(p -> p.setRequiresGradient(true));
        try (AdamW optimizer = new AdamW(parameters, AdamWConfig.defaults().withWeightDecay(0.01).withMaxGradNorm(0.1))) {
            int live = -1;
            for (int s = 0; s < 500; s++) {
                try (NDManager step = manager.newSubManager()) {
                    optimizer.zeroGradients();
                    try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                        NDArray input = step.randomNormal(new Shape(8, 32));
                        NDArray output = input.matMul(parameters.get("weight")).add(parameters.get("bias"));
                        collector.backward(output.square().mean());
                    }
                    AdamW.StepResult result = optimizer.step(1e-3);
                    assertTrue(result.applied());
                }
                if (s == 0) {
                    live = manager.getManagedArrays().size();
                }
            }
            assertEquals(live, manager.getManagedArrays().size(), "live arrays after 500 steps");
        }
    }

    @Test
    void configIsValidated() {
        assertThrows(IllegalArgumentException.class, () -> new AdamWConfig(1.0, 0.999, 1e-8, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> new AdamWConfig(0.9, 0.999, 0, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> new AdamWConfig(0.9, 0.999, 1e-8, -1, 1));
        assertThrows(IllegalArgumentException.class, () -> new AdamWConfig(0.9, 0.999, 1e-8, 0, 0));
        Map<String, NDArray> parameters = parameters();
        try (AdamW optimizer = new AdamW(parameters, AdamWConfig.defaults())) {
            assertThrows(IllegalArgumentException.class, () -> optimizer.step(Double.NaN));
        }
        assertThrows(IllegalArgumentException.class, () -> new AdamW(Map.of(), AdamWConfig.defaults()));
    }
}
