package io.tpostream.trainer.experiment;

import io.tpostream.trainer.experiment.diagnosis.TokenGroup;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The plain-text tables of a study: per regime, every arm's held-out metrics (mean ± std over the reported seeds),
 * the paired per-seed differences of each arm against the baseline arm, the learning rates chosen on validation
 * seeds, and where the token weights landed. Pure formatting of an {@link ExperimentResult}.
 */
public final class StudyReport {

    /** A reported column: its title, the metric it reads, and which direction is better (0: neither). */
    public record Column(String title, String metric, int better) {
    }

    public static final List<Column> COLUMNS = List.of(
            new Column("CHAIR_s", "eval/chair_s", -1),
            new Column("CHAIR_i", "eval/chair_i", -1),
            new Column("coverage", "eval/caption_recall", 1),
            new Column("length", "eval/caption_length", 0),
            new Column("POPE-rand F1", "eval/pope_random_f1", 1),
            new Column("POPE-pop F1", "eval/pope_popular_f1", 1),
            new Column("POPE-adv F1", "eval/pope_adversarial_f1", 1));

    /** The arm the others are compared with, seed by seed. */
    public static final String BASELINE = "dpo";

    private final ExperimentResult result;

    public StudyReport(ExperimentResult result) {
        this.result = result;
    }

    /** Everything, regime after regime. */
    public String full() {
        StringBuilder b = new StringBuilder();
        for (String regime : result.regimes()) {
            if (result.runs().stream().noneMatch(r -> r.regime().equals(regime) && r.role() == ExperimentResult.Role.REPORTED)) {
                continue; // validation runs only (--tune-only): their rates are in the selections below
            }
            b.append(table(regime)).append('\n');
            String diffs = differences(regime);
            if (!diffs.isEmpty()) {
                b.append(diffs).append('\n');
            }
            String weights = weights(regime);
            if (!weights.isEmpty()) {
                b.append(weights).append('\n');
            }
        }
        String chosen = selections();
        if (!chosen.isEmpty()) {
            b.append(chosen);
        }
        return b.toString();
    }

    /** One regime: a row per arm (the base first), mean ± std over the reported seeds. */
    public String table(String regime) {
        List<String> arms = armsOf(regime);
        long seeds = result.reported(regime, arms.get(arms.size() - 1)).size();
        StringBuilder b = new StringBuilder();
        b.append("regime ").append(regime).append(" (").append(seeds).append(" seeds, mean ± std)\n");
        b.append(String.format(Locale.ROOT, "%-16s %-8s", "arm", "lr"));
        COLUMNS.forEach(c -> b.append(String.format(Locale.ROOT, " | %-17s", c.title())));
        b.append(" | step ms\n");
        b.append("-".repeat(25 + COLUMNS.size() * 20 + 10)).append('\n');
        for (String arm : arms) {
            List<ExperimentResult.Run> runs = result.reported(regime, arm);
            String rates = runs.stream().map(r -> r.learningRate() == 0 ? "-" : rate(r.learningRate())).distinct()
                    .reduce((x, y) -> x + "/" + y).orElse("-");
            b.append(String.format(Locale.ROOT, "%-16s %-8s", arm, rates));
            for (Column c : COLUMNS) {
                double[] ms = meanAndStd(values(runs, c.metric()));
                b.append(String.format(Locale.ROOT, " | %7.4f ± %-7.4f", ms[0], ms[1]));
            }
            double step = runs.stream().mapToDouble(ExperimentResult.Run::medianStepMillis).filter(d -> d > 0)
                    .average().orElse(Double.NaN);
            b.append(Double.isNaN(step) ? " |     -" : String.format(Locale.ROOT, " | %6.1f", step)).append('\n');
        }
        return b.toString();
    }

    /** Each arm minus the baseline arm, seed by seed: mean ± std of the differences and the seeds that favour it. */
    public String differences(String regime) {
        List<String> arms = armsOf(regime);
        if (!arms.contains(BASELINE)) {
            return "";
        }
        StringBuilder b = new StringBuilder();
        for (String arm : arms) {
            if (arm.equals(BASELINE) || arm.equals(ExperimentResult.BASE)) {
                continue;
            }
            b.append(String.format(Locale.ROOT, "paired difference %s − %s (%s; better: seeds on which %s is better)%n",
                    arm, BASELINE, regime, arm));
            for (Column c : COLUMNS) {
                Optional<PairedDifference> d = difference(regime, arm, c);
                if (d.isEmpty()) {
                    continue;
                }
                String favour = c.better() == 0 ? "-" : d.get().favouring() + "/" + d.get().seeds();
                b.append(String.format(Locale.ROOT, "  %-13s %+8.4f ± %-7.4f better %s%n", c.title(), d.get().mean(),
                        d.get().std(), favour));
            }
        }
        return b.toString();
    }

    /** The per-seed difference of one column between an arm and the baseline, on the seeds both ran. */
    public record PairedDifference(double mean, double std, int favouring, int seeds) {
    }

    public Optional<PairedDifference> difference(String regime, String arm, Column column) {
        Map<Long, Double> baseline = bySeed(result.reported(regime, BASELINE), column.metric());
        Map<Long, Double> mine = bySeed(result.reported(regime, arm), column.metric());
        List<Double> diffs = new ArrayList<>();
        int favouring = 0;
        for (Map.Entry<Long, Double> e : mine.entrySet()) {
            Double other = baseline.get(e.getKey());
            if (other == null) {
                continue;
            }
            double d = e.getValue() - other;
            diffs.add(d);
            favouring += Math.signum(d) == column.better() && d != 0 ? 1 : 0;
        }
        if (diffs.isEmpty()) {
            return Optional.empty();
        }
        double[] ms = meanAndStd(diffs.stream().mapToDouble(Double::doubleValue).toArray());
        return Optional.of(new PairedDifference(ms[0], ms[1], favouring, diffs.size()));
    }

    /** Mean s and c of each token group and side, under the base and after training, over the diagnosed seeds. */
    public String weights(String regime) {
        List<ExperimentResult.Diagnosis> ds = result.diagnoses().stream().filter(d -> d.regime().equals(regime)).toList();
        if (ds.isEmpty()) {
            return "";
        }
        List<String> arms = ds.stream().map(ExperimentResult.Diagnosis::arm).distinct().toList();
        StringBuilder b = new StringBuilder();
        b.append("where the weights land (").append(regime)
                .append("; training pairs' caption tokens; s = clean − corrupted logit, c = TPO's weight, a = 0.5)\n");
        b.append(String.format(Locale.ROOT, "%-22s %8s %8s %7s", "tokens", "n/pair", "s base", "c base"));
        arms.forEach(a -> b.append(String.format(Locale.ROOT, " %9s %9s", "s " + a, "c " + a)));
        b.append('\n');
        for (String side : List.of("chosen", "rejected")) {
            for (TokenGroup g : TokenGroup.values()) {
                String key = side + "/" + g.label() + "/";
                double n = mean(ds.stream().filter(d -> d.arm().equals(arms.get(0))).toList(), key + "n_base");
                if (Double.isNaN(n)) {
                    continue;
                }
                double pairs = mean(ds.stream().filter(d -> d.arm().equals(arms.get(0))).toList(), "pairs");
                b.append(String.format(Locale.ROOT, "%-22s %8.2f %8.3f %7.3f", side + " " + g.label(),
                        Double.isNaN(pairs) ? n : n / pairs, mean(ds, key + "s_base"), mean(ds, key + "c_base")));
                for (String arm : arms) {
                    List<ExperimentResult.Diagnosis> mine = ds.stream().filter(d -> d.arm().equals(arm)).toList();
                    b.append(String.format(Locale.ROOT, " %9.3f %9.3f", mean(mine, key + "s_trained"),
                            mean(mine, key + "c_trained")));
                }
                b.append('\n');
            }
        }
        return b.toString();
    }

    /** The learning rate chosen for each arm and regime, with every candidate's mean validation score. */
    public String selections() {
        if (result.selections().isEmpty()) {
            return "";
        }
        List<Long> seeds = result.runs().stream().filter(r -> r.role() == ExperimentResult.Role.VALIDATION)
                .map(ExperimentResult.Run::seed).distinct().toList();
        StringBuilder b = new StringBuilder("learning rates chosen on validation seeds " + seeds
                + " (score = CHAIR_i + coverage lost + POPE-adv F1 lost vs the base; lower is better)\n");
        for (ExperimentResult.Selection s : result.selections()) {
            b.append(String.format(Locale.ROOT, "  %-10s %-16s -> %-7s", s.regime(), s.arm(), rate(s.learningRate())));
            s.scores().forEach((rate, score) -> b.append(String.format(Locale.ROOT, "  %s: %.4f", rate(rate), score)));
            b.append('\n');
        }
        return b.toString();
    }

    private List<String> armsOf(String regime) {
        List<String> arms = new ArrayList<>(List.of(ExperimentResult.BASE));
        result.runs().stream().filter(r -> r.regime().equals(regime) && r.role() == ExperimentResult.Role.REPORTED)
                .map(ExperimentResult.Run::arm).distinct().forEach(arms::add);
        return arms;
    }

    private static Map<Long, Double> bySeed(List<ExperimentResult.Run> runs, String metric) {
        Map<Long, Double> out = new LinkedHashMap<>();
        runs.forEach(r -> {
            Double v = r.metrics().get(metric);
            if (v != null) {
                out.put(r.seed(), v);
            }
        });
        return out;
    }

    private static double[] values(List<ExperimentResult.Run> runs, String metric) {
        return runs.stream().map(r -> r.metrics().get(metric)).filter(v -> v != null)
                .mapToDouble(Double::doubleValue).toArray();
    }

    private static double mean(List<ExperimentResult.Diagnosis> ds, String key) {
        return ds.stream().map(d -> d.values().get(key)).filter(v -> v != null).mapToDouble(Double::doubleValue)
                .average().orElse(Double.NaN);
    }

    /** Mean and sample standard deviation (0 for one value, NaN for none). */
    public static double[] meanAndStd(double[] values) {
        if (values.length == 0) {
            return new double[] {Double.NaN, Double.NaN};
        }
        double mean = Arrays.stream(values).average().orElse(Double.NaN);
        double var = 0;
        for (double v : values) {
            var += (v - mean) * (v - mean);
        }
        return new double[] {mean, values.length > 1 ? Math.sqrt(var / (values.length - 1)) : 0};
    }

    static String rate(double rate) {
        return String.format(Locale.ROOT, "%.0e", rate).replace("e-0", "e-");
    }
}
