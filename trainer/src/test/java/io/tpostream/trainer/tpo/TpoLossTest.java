package io.tpostream.trainer.tpo;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TpoLossTest {

    private static final int B = 2;
    private static final int T = 6;
    private static final int V = 5;
    /** Prompt positions and right padding, as a collator would produce them. */
    private static final int[][] CHOSEN_LABELS = {{-100, -100, 3, 1, 4, 0}, {-100, 2, 2, 0, -100, -100}};
    private static final int[][] REJECTED_LABELS = {{-100, -100, 1, 1, -100, -100}, {-100, 4, 3, 0, 1, 2}};

    private NDManager manager;

    @BeforeEach
    void open() {
        manager = NDManager.newBaseManager();
    }

    @AfterEach
    void close() {
        manager.close();
    }

    /** Per objective: the weight rule of the chosen side, then of the rejected side, as the method note lists them. */
    private static String[] rules(Objective objective) {
        return switch (objective) {
            case TPO -> new String[] {"anchored", "anti"};
            case DPO -> new String[] {"one", "one"};
            case TPO_CHOSEN_ONLY -> new String[] {"anchored", "one"};
            case TPO_REJECTED_ONLY -> new String[] {"one", "anti"};
            case TPO_OPPOSITE -> new String[] {"anti", "anchored"};
        };
    }

    @ParameterizedTest
    @EnumSource(Objective.class)
    void everyObjectiveMatchesAPlainDoubleComputation(Objective objective) {
        Random random = new Random(11);
        float[][][][] policy = {logits(random, 2), logits(random, 2), logits(random, 2), logits(random, 2)};
        float[][][][] reference = {logits(random, 2), logits(random, 2), logits(random, 2), logits(random, 2)};
        double beta = 0.1;
        double a = 0.5;
        String[] rules = rules(objective);
        PlainSide pw = PlainSide.of(policy[0], policy[1], CHOSEN_LABELS, rules[0], a);
        PlainSide pl = PlainSide.of(policy[2], policy[3], REJECTED_LABELS, rules[1], a);
        PlainSide rw = PlainSide.of(reference[0], reference[1], CHOSEN_LABELS, rules[0], a);
        PlainSide rl = PlainSide.of(reference[2], reference[3], REJECTED_LABELS, rules[1], a);

        TpoLossResult result = TpoLoss.compute(pairLogits(policy), pairLogits(reference), labels(CHOSEN_LABELS),
                labels(REJECTED_LABELS), new TpoLossConfig(beta, a, objective));

        double loss = 0;
        double[] rewardsChosen = new double[B];
        double[] rewardsRejected = new double[B];
        for (int b = 0; b < B; b++) {
            double margin = (pw.logps[b] - pl.logps[b]) - (rw.logps[b] - rl.logps[b]);
            loss += Math.log1p(Math.exp(-beta * margin)) / B;
            rewardsChosen[b] = beta * (pw.logps[b] - rw.logps[b]);
            rewardsRejected[b] = beta * (pl.logps[b] - rl.logps[b]);
        }
        assertNear(pw.logps, result.policyChosenLogps());
        assertNear(pl.logps, result.policyRejectedLogps());
        assertNear(rw.logps, result.referenceChosenLogps());
        assertNear(rl.logps, result.referenceRejectedLogps());
        assertNear(flat(pw.scores), result.chosenScores());
        assertNear(flat(pl.scores), result.rejectedScores());
        assertNear(flat(pw.weights), result.chosenWeights());
        assertNear(flat(pl.weights), result.rejectedWeights());
        assertNear(rewardsChosen, result.rewardsChosen());
        assertNear(rewardsRejected, result.rewardsRejected());
        assertNear(new double[] {loss}, result.loss().reshape(1));

        Map<String, Double> metrics = result.metrics();
        assertEquals(TpoLossResult.METRIC_NAMES, metrics.keySet().stream().toList());
        assertEquals(loss, metrics.get("loss"), 1e-6);
        assertEquals(mean(rewardsChosen), metrics.get("rewards/chosen"), 1e-6);
        assertEquals(mean(rewardsRejected), metrics.get("rewards/rejected"), 1e-6);
        assertEquals(mean(rewardsChosen) - mean(rewardsRejected), metrics.get("rewards/margins"), 1e-6);
        double accuracy = 0;
        for (int b = 0; b < B; b++) {
            accuracy += rewardsChosen[b] > rewardsRejected[b] ? 1.0 / B : 0;
        }
        assertEquals(accuracy, metrics.get("rewards/accuracies"), 1e-7);
        assertEquals(mean(pw.logps), metrics.get("logps/chosen"), 1e-5);
        assertEquals(mean(pl.logps), metrics.get("logps/rejected"), 1e-5);
        assertEquals(maskedMean(pw.scores, CHOSEN_LABELS), metrics.get("score/chosen_mean"), 1e-6);
        assertEquals(maskedMean(pl.scores, REJECTED_LABELS), metrics.get("score/rejected_mean"), 1e-6);
        assertEquals(maskedMean(pw.weights, CHOSEN_LABELS), metrics.get("weight/chosen_mean"), 1e-6);
        assertEquals(maskedMean(pl.weights, REJECTED_LABELS), metrics.get("weight/rejected_mean"), 1e-6);
    }

    @Test
    void eachAblationWeightsTokensByItsFormula() {
        // one pair, rows 1..3 score s = 0, ln 3, -ln 3 (sigmoid 1/2, 3/4, 1/4); row 0 predicts a masked label
        int[][] labels = {{-100, -100, 0, 1, 2}};
        double ln3 = Math.log(3);
        float[][][] clean = new float[1][5][3];
        float[][][] corrupted = new float[1][5][3];
        corrupted[0][2][1] = (float) -ln3;
        corrupted[0][3][2] = (float) ln3;
        double[] up = {0, 1.0, 1.25, 0.75};     // sigmoid(s) + 1/2
        double[] down = {0, 1.0, 0.75, 1.25};   // 1 - sigmoid(s) + 1/2
        double[] one = {0, 1, 1, 1};
        Map<Objective, double[][]> expected = Map.of(
                Objective.TPO, new double[][] {up, down},
                Objective.TPO_CHOSEN_ONLY, new double[][] {up, one},
                Objective.TPO_REJECTED_ONLY, new double[][] {one, down},
                Objective.TPO_OPPOSITE, new double[][] {down, up},
                Objective.DPO, new double[][] {one, one});
        for (Map.Entry<Objective, double[][]> entry : expected.entrySet()) {
            PairLogits logits = new PairLogits(array(clean), array(corrupted), array(clean), array(corrupted));
            TpoLossResult result = TpoLoss.compute(logits, logits, labels(labels), labels(labels),
                    TpoLossConfig.defaults().withObjective(entry.getKey()));
            assertNear(entry.getValue()[0], result.chosenWeights());
            assertNear(entry.getValue()[1], result.rejectedWeights());
            assertNear(new double[] {0, 0, ln3, -ln3}, result.chosenScores());
            // uniform clean logits: every token has log p = -ln 3, plus the log of its weight
            double[] w = entry.getValue()[0];
            assertNear(new double[] {-3 * ln3 + Math.log(w[1]) + Math.log(w[2]) + Math.log(w[3])},
                    result.policyChosenLogps());
        }
    }

    @ParameterizedTest
    @EnumSource(Objective.class)
    void lossIsExactlyLn2WhenPolicyEqualsReference(Objective objective) {
        Random random = new Random(5);
        PairLogits same = pairLogits(new float[][][][] {logits(random, 3), logits(random, 3), logits(random, 3),
                logits(random, 3)});
        TpoLossResult result = TpoLoss.compute(same, same, labels(CHOSEN_LABELS), labels(REJECTED_LABELS),
                TpoLossConfig.defaults().withObjective(objective));
        assertEquals((float) Math.log(2), result.loss().getFloat(), 1e-7);
        assertEquals(0.0, result.metrics().get("rewards/margins"));
        assertEquals(0.0, result.metrics().get("rewards/accuracies"));
    }

    @Test
    void maskedPositionsGetExactlyZeroGradientAndLeakNothing() {
        Random random = new Random(3);
        float[][][][] policy = {logits(random, 2), logits(random, 2), logits(random, 2), logits(random, 2)};
        // rows whose prediction is not scored hold extreme (finite) values; they must not matter at all
        int[][][] labelSets = {CHOSEN_LABELS, CHOSEN_LABELS, REJECTED_LABELS, REJECTED_LABELS};
        for (int i = 0; i < 4; i++) {
            for (int b = 0; b < B; b++) {
                for (int t = 0; t < T; t++) {
                    if (!scored(labelSets[i], b, t)) {
                        for (int v = 0; v < V; v++) {
                            policy[i][b][t][v] = (v % 2 == 0 ? 3e4f : -3e4f) * (i % 2 == 0 ? 1 : -1);
                        }
                    }
                }
            }
        }
        NDArray[] inputs = new NDArray[4];
        for (int i = 0; i < 4; i++) {
            inputs[i] = array(policy[i]);
            inputs[i].setRequiresGradient(true);
        }
        Random other = new Random(4);
        PairLogits reference = pairLogits(new float[][][][] {logits(other, 2), logits(other, 2), logits(other, 2),
                logits(other, 2)});
        TpoLossResult result;
        try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
            result = TpoLoss.compute(new PairLogits(inputs[0], inputs[1], inputs[2], inputs[3]), reference,
                    labels(CHOSEN_LABELS), labels(REJECTED_LABELS), TpoLossConfig.defaults());
            collector.backward(result.loss());
        }
        assertTrue(Float.isFinite(result.loss().getFloat()));
        for (int i = 0; i < 4; i++) {
            float[] gradient = inputs[i].getGradient().toFloatArray();
            boolean anyScoredRowMoves = false;
            for (int b = 0; b < B; b++) {
                for (int t = 0; t < T; t++) {
                    for (int v = 0; v < V; v++) {
                        float g = gradient[(b * T + t) * V + v];
                        assertTrue(Float.isFinite(g));
                        if (!scored(labelSets[i], b, t)) {
                            assertEquals(0f, g, "input " + i + " row " + b + "," + t);
                        } else if (g != 0f) {
                            anyScoredRowMoves = true;
                        }
                    }
                }
            }
            assertTrue(anyScoredRowMoves, "input " + i + " gets a gradient on scored rows");
        }
        float[] scores = result.chosenScores().toFloatArray();
        float[] weights = result.chosenWeights().toFloatArray();
        for (int b = 0; b < B; b++) {
            for (int t = 0; t < T - 1; t++) {
                if (!scored(CHOSEN_LABELS, b, t)) {
                    assertEquals(0f, scores[b * (T - 1) + t]);
                    assertEquals(0f, weights[b * (T - 1) + t]);
                }
            }
        }
    }

    /** Logits row t is scored when the label it predicts, t + 1, is a response token. */
    private static boolean scored(int[][] labels, int b, int t) {
        return t + 1 < labels[b].length && labels[b][t + 1] != TpoLoss.IGNORE_INDEX;
    }

    @ParameterizedTest
    @EnumSource(Objective.class)
    void hugeLogitsGiveAFiniteLossAndGradient(Objective objective) {
        for (double a : new double[] {0.5, 0.0}) {
            Random random = new Random(8);
            NDArray[] inputs = new NDArray[4];
            for (int i = 0; i < 4; i++) {
                inputs[i] = array(logits(random, 1e4));
                inputs[i].setRequiresGradient(true);
            }
            PairLogits reference = pairLogits(new float[][][][] {logits(random, 1e4), logits(random, 1e4),
                    logits(random, 1e4), logits(random, 1e4)});
            TpoLossResult result;
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                result = TpoLoss.compute(new PairLogits(inputs[0], inputs[1], inputs[2], inputs[3]), reference,
                        labels(CHOSEN_LABELS), labels(REJECTED_LABELS), new TpoLossConfig(0.1, a, objective));
                collector.backward(result.loss());
            }
            float loss = result.loss().getFloat();
            assertTrue(Float.isFinite(loss) && loss >= 0, objective + " a=" + a + " loss " + loss);
            for (NDArray input : inputs) {
                for (float g : input.getGradient().toFloatArray()) {
                    assertTrue(Float.isFinite(g), objective + " a=" + a + " gradient " + g);
                }
            }
            result.metrics().values().forEach(m -> assertTrue(Double.isFinite(m), objective + " metric " + m));
        }
    }

    @Test
    void dpoRunsWithoutCorruptedLogitsAndTpoAsksForThem() {
        Random random = new Random(9);
        PairLogits policy = PairLogits.cleanOnly(array(logits(random, 2)), array(logits(random, 2)));
        PairLogits reference = PairLogits.cleanOnly(array(logits(random, 2)), array(logits(random, 2)));
        TpoLossResult dpo = TpoLoss.compute(policy, reference, labels(CHOSEN_LABELS), labels(REJECTED_LABELS),
                TpoLossConfig.defaults().withObjective(Objective.DPO));
        assertNull(dpo.chosenScores());
        assertNull(dpo.rejectedScores());
        assertFalse(dpo.metrics().containsKey("score/chosen_mean"));
        assertEquals(1.0, dpo.metrics().get("weight/chosen_mean"), 1e-7);
        assertEquals(1.0, dpo.metrics().get("weight/rejected_mean"), 1e-7);

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TpoLoss.compute(policy,
                reference, labels(CHOSEN_LABELS), labels(REJECTED_LABELS), TpoLossConfig.defaults()));
        assertTrue(e.getMessage().contains("corrupted"), e.getMessage());
    }

    @Test
    void aSideTheObjectiveLeavesUnweightedNeedsNoCorruptedLogits() {
        Random random = new Random(14);
        PairLogits chosenSideOnly = new PairLogits(array(logits(random, 2)), array(logits(random, 2)),
                array(logits(random, 2)), null);
        TpoLossResult result = TpoLoss.compute(chosenSideOnly, chosenSideOnly, labels(CHOSEN_LABELS),
                labels(REJECTED_LABELS), TpoLossConfig.defaults().withObjective(Objective.TPO_CHOSEN_ONLY));
        assertNull(result.rejectedScores());
        assertTrue(result.metrics().containsKey("score/chosen_mean"));
        assertFalse(result.metrics().containsKey("score/rejected_mean"));
        assertEquals(1.0, result.metrics().get("weight/rejected_mean"), 1e-7);
    }

    @Test
    void cachedReferenceLogpsGiveTheSameLoss() {
        Random random = new Random(10);
        PairLogits policy = pairLogits(new float[][][][] {logits(random, 2), logits(random, 2), logits(random, 2),
                logits(random, 2)});
        PairLogits reference = pairLogits(new float[][][][] {logits(random, 2), logits(random, 2), logits(random, 2),
                logits(random, 2)});
        TpoLossConfig config = TpoLossConfig.defaults();
        NDArray chosen = labels(CHOSEN_LABELS);
        NDArray rejected = labels(REJECTED_LABELS);
        ReferenceLogps cached = TpoLoss.referenceLogps(reference, chosen, rejected, config);
        assertEquals(TpoLoss.compute(policy, reference, chosen, rejected, config).loss().getFloat(),
                TpoLoss.compute(policy, cached, chosen, rejected, config).loss().getFloat());
    }

    @Test
    void mismatchedShapesAreRejectedWithTheShapes() {
        Random random = new Random(12);
        PairLogits good = pairLogits(new float[][][][] {logits(random, 1), logits(random, 1), logits(random, 1),
                logits(random, 1)});
        NDArray shortLabels = manager.create(new int[] {-100, 1, 2}, new Shape(1, 3));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TpoLoss.compute(good, good,
                shortLabels, labels(REJECTED_LABELS), TpoLossConfig.defaults()));
        assertTrue(e.getMessage().contains("(1, 3)") && e.getMessage().contains("(2, 6, 5)"), e.getMessage());

        PairLogits badCorrupted = new PairLogits(good.chosenClean(), good.chosenClean().get(":, :-1, :"),
                good.rejectedClean(), good.rejectedCorrupted());
        assertThrows(IllegalArgumentException.class, () -> TpoLoss.compute(badCorrupted, good, labels(CHOSEN_LABELS),
                labels(REJECTED_LABELS), TpoLossConfig.defaults()));

        NDArray floatLabels = labels(CHOSEN_LABELS).toType(ai.djl.ndarray.types.DataType.FLOAT32, false);
        assertThrows(IllegalArgumentException.class, () -> TpoLoss.compute(good, good, floatLabels,
                labels(REJECTED_LABELS), TpoLossConfig.defaults()));
    }

    @Test
    void referenceIsFrozenAndLoggedArraysAreDetached() {
        Random random = new Random(13);
        NDArray[] inputs = new NDArray[4];
        for (int i = 0; i < 4; i++) {
            inputs[i] = array(logits(random, 2));
            inputs[i].setRequiresGradient(true);
        }
        PairLogits same = new PairLogits(inputs[0], inputs[1], inputs[2], inputs[3]);
        try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
            TpoLossResult result = TpoLoss.compute(same, same, labels(CHOSEN_LABELS), labels(REJECTED_LABELS),
                    TpoLossConfig.defaults());
            for (NDArray logged : new NDArray[] {result.policyChosenLogps(), result.referenceRejectedLogps(),
                    result.chosenScores(), result.rejectedWeights(), result.rewardsChosen()}) {
                assertThrows(RuntimeException.class, () -> collector.backward(logged.sum()),
                        "a logged array must not reach the graph");
            }
            collector.backward(result.loss());
        }
        // had the reference side kept its graph, policy and reference terms would cancel to a zero gradient
        assertNotEquals(0f, inputs[0].getGradient().abs().sum().getFloat());
    }

    // ---------------------------------------------------------------- plain-double reference of the method note

    /** One side of one model, written out in doubles straight from the method note. */
    private record PlainSide(double[] logps, double[][] scores, double[][] weights) {

        static PlainSide of(float[][][] clean, float[][][] corrupted, int[][] labels, String rule, double a) {
            double[] logps = new double[B];
            double[][] scores = new double[B][T - 1];
            double[][] weights = new double[B][T - 1];
            for (int b = 0; b < B; b++) {
                for (int t = 0; t < T - 1; t++) {
                    int label = labels[b][t + 1];
                    if (label == TpoLoss.IGNORE_INDEX) {
                        continue;
                    }
                    double max = Double.NEGATIVE_INFINITY;
                    for (float z : clean[b][t]) {
                        max = Math.max(max, z);
                    }
                    double sumExp = 0;
                    for (float z : clean[b][t]) {
                        sumExp += Math.exp(z - max);
                    }
                    double logp = clean[b][t][label] - max - Math.log(sumExp);
                    double s = (double) clean[b][t][label] - corrupted[b][t][label];
                    double sigmoid = 1 / (1 + Math.exp(-s));
                    double c = switch (rule) {
                        case "anchored" -> sigmoid + a;
                        case "anti" -> 1 - sigmoid + a;
                        default -> 1.0;
                    };
                    scores[b][t] = s;
                    weights[b][t] = c;
                    logps[b] += logp + Math.log(c);
                }
            }
            return new PlainSide(logps, scores, weights);
        }
    }

    private static double mean(double[] values) {
        double sum = 0;
        for (double v : values) {
            sum += v;
        }
        return sum / values.length;
    }

    private static double maskedMean(double[][] perPosition, int[][] labels) {
        double sum = 0;
        int count = 0;
        for (int b = 0; b < B; b++) {
            for (int t = 0; t < T - 1; t++) {
                if (labels[b][t + 1] != TpoLoss.IGNORE_INDEX) {
                    sum += perPosition[b][t];
                    count++;
                }
            }
        }
        return sum / count;
    }

    private static double[] flat(double[][] values) {
        return java.util.Arrays.stream(values).flatMapToDouble(java.util.Arrays::stream).toArray();
    }

    private static void assertNear(double[] expected, NDArray actual) {
        float[] values = actual.toFloatArray();
        assertEquals(expected.length, values.length);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], values[i], 1e-5 * Math.max(1, Math.abs(expected[i])), "element " + i);
        }
    }

    private static float[][][] logits(Random random, double scale) {
        float[][][] out = new float[B][T][V];
        for (float[][] rows : out) {
            for (float[] row : rows) {
                for (int v = 0; v < V; v++) {
                    row[v] = (float) (random.nextGaussian() * scale);
                }
            }
        }
        return out;
    }

    private NDArray array(float[][][] values) {
        int b = values.length;
        int t = values[0].length;
        int v = values[0][0].length;
        float[] flat = new float[b * t * v];
        for (int i = 0; i < b; i++) {
            for (int j = 0; j < t; j++) {
                System.arraycopy(values[i][j], 0, flat, (i * t + j) * v, v);
            }
        }
        return manager.create(flat, new Shape(b, t, v));
    }

    private PairLogits pairLogits(float[][][][] four) {
        return new PairLogits(array(four[0]), array(four[1]), array(four[2]), array(four[3]));
    }

    private NDArray labels(int[][] labels) {
        int[] flat = java.util.Arrays.stream(labels).flatMapToInt(java.util.Arrays::stream).toArray();
        return manager.create(flat, new Shape(labels.length, labels[0].length));
    }

    @Test
    void labelHelperKeepsRowMajorOrder() {
        assertArrayEquals(new int[] {-100, -100, 3, 1, 4, 0, -100, 2, 2, 0, -100, -100},
                labels(CHOSEN_LABELS).toIntArray());
    }
}
