package io.tpostream.trainer.eval;

import java.util.HashMap;
import java.util.Map;

/**
 * The exact probability that each kind appears in a scene drawn by {@link SceneWorld}, by enumerating the
 * sampling process over sets of placed kinds (at most C(24, 4) sets per target count). Exact rather than
 * estimated so that the POPE "popular" ranking never depends on sampling noise.
 */
final class KindFrequencies {

    private KindFrequencies() {
    }

    static double[] exact(SceneWorld.Config config) {
        double[] prior = KindPrior.weights(config.mode());
        double[] freq = new double[ObjectKind.COUNT];
        double targetProbability = 1.0 / config.maxObjects();
        for (int target = 1; target <= config.maxObjects(); target++) {
            Map<Integer, Double> open = new HashMap<>();
            open.put(0, targetProbability);
            while (!open.isEmpty()) {
                Map<Integer, Double> next = new HashMap<>();
                for (Map.Entry<Integer, Double> e : open.entrySet()) {
                    int set = e.getKey();
                    if (Integer.bitCount(set) >= target) {
                        addMembers(freq, set, e.getValue());
                    } else {
                        expand(set, e.getValue(), prior, config.bias(), next);
                    }
                }
                open = next;
            }
        }
        return freq;
    }

    /** Every way one draw (plus its possible partner) extends {@code set}, with its probability. */
    private static void expand(int set, double p, double[] prior, CooccurrenceBias bias, Map<Integer, Double> out) {
        double total = 0;
        for (int k = 0; k < ObjectKind.COUNT; k++) {
            if ((set & (1 << k)) == 0) {
                total += prior[k];
            }
        }
        for (int k = 0; k < ObjectKind.COUNT; k++) {
            if ((set & (1 << k)) != 0) {
                continue;
            }
            double pk = p * prior[k] / total;
            int with = set | (1 << k);
            ObjectKind kind = ObjectKind.byIndex(k);
            double q = bias.partnerProbability(kind);
            if (q > 0) {
                int partner = 1 << CooccurrenceBias.partnerOf(kind).orElseThrow().index();
                if ((with & partner) == 0 && Integer.bitCount(with) < Scene.MAX_OBJECTS) {
                    out.merge(with | partner, pk * q, Double::sum);
                    pk *= 1 - q;
                }
            }
            out.merge(with, pk, Double::sum);
        }
    }

    private static void addMembers(double[] freq, int set, double p) {
        for (int k = 0; k < ObjectKind.COUNT; k++) {
            if ((set & (1 << k)) != 0) {
                freq[k] += p;
            }
        }
    }
}
