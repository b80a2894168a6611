package io.tpostream.trainer.experiment;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Held-out metrics of every arm (the base and each objective) for every seed, and their summary table. */
public record ExperimentResult(List<Run> runs) {

    /** One arm on one seed. */
    public record Run(String arm, long seed, Map<String, Double> metrics, double medianStepMillis) {
    }

    /** The columns of the summary, in order, with the metric each reads. */
    public static final Map<String, String> COLUMNS = columns();

    private static Map<String, String> columns() {
        Map<String, String> c = new LinkedHashMap<>();
        c.put("CHAIR_s", "eval/chair_s");
        c.put("CHAIR_i", "eval/chair_i");
        c.put("POPE-adv F1", "eval/pope_adversarial_f1");
        c.put("POPE-rand F1", "eval/pope_random_f1");
        c.put("s(object)", "eval/score_object");
        c.put("s(other)", "eval/score_other");
        return c;
    }

    public List<String> arms() {
        List<String> arms = new ArrayList<>();
        runs.forEach(r -> {
            if (!arms.contains(r.arm())) {
                arms.add(r.arm());
            }
        });
        return arms;
    }

    /** Mean and sample standard deviation of a metric over the seeds of an arm. */
    public double[] meanAndSpread(String arm, String metric) {
        double[] values = runs.stream().filter(r -> r.arm().equals(arm) && r.metrics().containsKey(metric))
                .mapToDouble(r -> r.metrics().get(metric)).toArray();
        if (values.length == 0) {
            return new double[] {Double.NaN, Double.NaN};
        }
        double mean = java.util.Arrays.stream(values).average().orElse(Double.NaN);
        double var = 0;
        for (double v : values) {
            var += (v - mean) * (v - mean);
        }
        return new double[] {mean, values.length > 1 ? Math.sqrt(var / (values.length - 1)) : 0};
    }

    /** A plain-text table: one row per arm, mean ± standard deviation over seeds. */
    public String table() {
        StringBuilder b = new StringBuilder();
        long seeds = runs.stream().mapToLong(Run::seed).distinct().count();
        b.append(String.format(Locale.ROOT, "%-18s", "arm (" + seeds + " seeds)"));
        COLUMNS.keySet().forEach(c -> b.append(String.format(Locale.ROOT, " | %-17s", c)));
        b.append(" | step ms\n");
        b.append("-".repeat(18 + COLUMNS.size() * 20 + 10)).append('\n');
        for (String arm : arms()) {
            b.append(String.format(Locale.ROOT, "%-18s", arm));
            for (String metric : COLUMNS.values()) {
                double[] ms = meanAndSpread(arm, metric);
                b.append(String.format(Locale.ROOT, " | %7.4f ± %-7.4f", ms[0], ms[1]));
            }
            double step = runs.stream().filter(r -> r.arm().equals(arm)).mapToDouble(Run::medianStepMillis)
                    .filter(d -> d > 0).average().orElse(Double.NaN);
            b.append(Double.isNaN(step) ? " |     -" : String.format(Locale.ROOT, " | %6.1f", step)).append('\n');
        }
        return b.toString();
    }
}
