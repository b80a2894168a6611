package io.tpostream.ops.demo;

import io.tpostream.schema.ModelVersion;
import io.tpostream.schema.OffsetWindow;
import io.tpostream.schema.VersionStatus;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/** The demo's report: one self-contained HTML file (charts and images inline) that opens offline. */
public final class DemoReport {

    static final Map<String, String> TABLE_COLUMNS = columns();

    private DemoReport() {
    }

    private static Map<String, String> columns() {
        Map<String, String> c = new LinkedHashMap<>();
        c.put("CHAIR_s", "eval/chair_s");
        c.put("CHAIR_i", "eval/chair_i");
        c.put("POPE-adv F1", "eval/pope_adversarial_f1");
        c.put("loss", "train/loss");
        c.put("reward margin", "train/rewards/margins");
        c.put("w chosen", "train/weight/chosen_mean");
        c.put("w rejected", "train/weight/rejected_mean");
        c.put("freshness s", "freshness/newest_pair_s");
        return c;
    }

    public static Path write(DemoSummary summary, Path file) throws IOException {
        Files.writeString(file, html(summary), StandardCharsets.UTF_8);
        return file;
    }

    static String html(DemoSummary s) {
        StringBuilder h = new StringBuilder();
        h.append("<!doctype html><html><head><meta charset=\"utf-8\"><title>tpo-stream demo report</title><style>")
                .append("body{font-family:system-ui,sans-serif;margin:2em;max-width:1200px;color:#222}")
                .append("table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}")
                .append("th{background:#f3f3f3}td.l{text-align:left}.rej{color:#b00}.tok{padding:2px 3px;margin:1px;border-radius:3px;")
                .append("display:inline-block;font-family:monospace}.charts img{margin:4px;border:1px solid #eee}")
                .append(".pair{border:1px solid #ddd;padding:8px;margin:8px 0;display:flex;gap:16px;align-items:flex-start}")
                .append("</style></head><body>");
        h.append("<h1>tpo-stream demo</h1>");
        h.append(String.format(Locale.ROOT, "<p>Objective <b>%s</b>, seed %d, %s of simulated feedback. %d feedback events"
                        + " (+%d broken records) became %d preference pairs; %d versions were published.</p>",
                s.settings().objective().configName(), s.settings().seed(), duration(s.runSeconds()), s.feedbackSent(),
                s.malformedSent(), s.streamsCounts().getOrDefault("pairs-out", 0L), s.versions().size()));
        versionTable(h, s);
        charts(h, s);
        tokenViews(h, s);
        lineage(h, s);
        accounting(h, s);
        h.append("</body></html>\n");
        return h.toString();
    }

    private static void versionTable(StringBuilder h, DemoSummary s) {
        h.append("<h2>Versions</h2><p>Metrics from the promotion gate's fixed probe set (held-out scenes of the"
                + " unbiased world, never trained on); training metrics are means over the version's steps.</p>");
        h.append("<table><tr><th>version</th><th>status</th><th>parent</th><th>pairs</th>");
        TABLE_COLUMNS.keySet().forEach(c -> h.append("<th>").append(c).append("</th>"));
        h.append("</tr>");
        for (ModelVersion v : s.versions()) {
            boolean rejected = v.getStatus() == VersionStatus.REJECTED;
            h.append("<tr").append(rejected ? " class=\"rej\"" : "").append("><td>v").append(v.getVersion())
                    .append("</td><td class=\"l\"").append(rejected ? " title=\"" + escape(String.valueOf(v.getStatusReason())) + "\"" : "")
                    .append(">").append(v.getStatus()).append("</td><td>").append(v.getParentVersion() < 0 ? "-" : "v" + v.getParentVersion())
                    .append("</td><td>").append(v.getPairs()).append("</td>");
            TABLE_COLUMNS.values().forEach(m -> h.append("<td>").append(number(v.getMetrics().get(m))).append("</td>"));
            h.append("</tr>");
        }
        h.append("</table>");
    }

    private static void charts(StringBuilder h, DemoSummary s) {
        Map<Long, Map<String, Double>> passed = new TreeMap<>();
        Map<Long, Map<String, Double>> all = new TreeMap<>();
        for (ModelVersion v : s.versions()) {
            all.put(v.getVersion(), v.getMetrics());
            if (v.getStatus() == VersionStatus.PASSED) {
                passed.put(v.getVersion(), v.getMetrics());
            }
        }
        h.append("<h2>Over versions</h2><div class=\"charts\">");
        chart(h, "Hallucination (lower is better)", "CHAIR", Charts.seriesOf(all,
                Map.of("CHAIR_i", "eval/chair_i", "CHAIR_s", "eval/chair_s")));
        h.append("<img alt=\"POPE\" src=\"").append(Charts.dataUri(Charts.lineChart(
                "POPE F1 (higher is better)", "version", "F1", Charts.seriesOf(all, Map.of(
                        "POPE-adversarial F1", "eval/pope_adversarial_f1", "POPE-random F1", "eval/pope_random_f1")),
                false))).append("\">");
        chart(h, "Training loss and reward margin", "value", Charts.seriesOf(all,
                Map.of("loss", "train/loss", "reward margin", "train/rewards/margins")));
        chart(h, "Mean token weight c", "c", Charts.seriesOf(all,
                Map.of("chosen", "train/weight/chosen_mean", "rejected", "train/weight/rejected_mean")));
        List<double[]> live = new ArrayList<>();
        int window = 10;
        for (int i = 0; i < s.serving().size(); i++) {
            int mentions = 0;
            int hallucinated = 0;
            for (int j = Math.max(0, i - window + 1); j <= i; j++) {
                mentions += s.serving().get(j).mentions();
                hallucinated += s.serving().get(j).hallucinated();
            }
            if (mentions > 0) {
                live.add(new double[] {s.serving().get(i).seconds(), (double) hallucinated / mentions});
            }
        }
        List<double[]> versionsApplied = new ArrayList<>();
        s.serving().forEach(x -> versionsApplied.add(new double[] {x.seconds(), x.version()}));
        chart(h, "Serving model: CHAIR_i of its live captions (rolling)", "CHAIR_i", "seconds",
                List.of(new Charts.Series("live CHAIR_i", live)));
        chart(h, "Serving model version", "version", "seconds", List.of(new Charts.Series("version", versionsApplied)));
        h.append("</div>");
    }

    private static void chart(StringBuilder h, String title, String y, List<Charts.Series> series) {
        chart(h, title, y, "version", series);
    }

    private static void chart(StringBuilder h, String title, String y, String x, List<Charts.Series> series) {
        h.append("<img alt=\"").append(escape(title)).append("\" src=\"")
                .append(Charts.dataUri(Charts.lineChart(title, x, y, series))).append("\">");
    }

    private static void tokenViews(StringBuilder h, DemoSummary s) {
        h.append("<h2>Token rewards: what each token depends on</h2><p>Each token is shaded by its visual-anchored"
                + " score s = logit with the clean image − logit with the diffusion-noised image (green: the token"
                + " depends on the image; red: it would be said even more without it). Before = base model, after ="
                + " the last PASSED version. Hover for the value.</p>");
        if (s.tokenViews().isEmpty()) {
            h.append("<p>(no corrections were collected in this run)</p>");
        }
        for (DemoSummary.TokenView v : s.tokenViews()) {
            h.append("<div class=\"pair\"><img width=\"128\" height=\"128\" src=\"").append(v.imageDataUri()).append("\"><div>");
            h.append("<p><b>chosen</b> (the user's correction)</p>");
            row(h, "before", v.chosenTokens(), v.chosenBefore());
            row(h, "after", v.chosenTokens(), v.chosenAfter());
            h.append("<p><b>rejected</b> (the caption the model wrote)</p>");
            row(h, "before", v.rejectedTokens(), v.rejectedBefore());
            row(h, "after", v.rejectedTokens(), v.rejectedAfter());
            h.append("</div></div>");
        }
    }

    private static void row(StringBuilder h, String label, List<String> tokens, float[] scores) {
        h.append("<div><span style=\"display:inline-block;width:4em\">").append(label).append("</span>");
        for (int i = 0; i < tokens.size(); i++) {
            float sc = scores[i];
            double strength = Math.min(1, Math.abs(sc) / 8.0);
            String colour = sc >= 0
                    ? String.format(Locale.ROOT, "rgba(0,150,60,%.2f)", strength)
                    : String.format(Locale.ROOT, "rgba(200,30,30,%.2f)", strength);
            h.append("<span class=\"tok\" style=\"background:").append(colour).append("\" title=\"s = ")
                    .append(String.format(Locale.ROOT, "%.2f", sc)).append("\">").append(escape(tokens.get(i)))
                    .append("</span>");
        }
        h.append("</div>");
    }

    private static void lineage(StringBuilder h, DemoSummary s) {
        h.append("<h2>Lineage of the final version</h2>");
        Map<Long, ModelVersion> byNumber = new TreeMap<>();
        s.versions().forEach(v -> byNumber.put(v.getVersion(), v));
        ModelVersion v = s.versions().stream().filter(x -> x.getStatus() == VersionStatus.PASSED)
                .reduce((a, b) -> b).orElse(null);
        if (v == null) {
            h.append("<p>(no version)</p>");
            return;
        }
        h.append("<table><tr><th>version</th><th>parent</th><th>artifact sha-256</th><th>pairs window (topic-partition: offsets)</th></tr>");
        while (v != null) {
            StringBuilder w = new StringBuilder();
            for (OffsetWindow ow : v.getTrainingWindow()) {
                w.append(ow.getTopic()).append('-').append(ow.getPartition()).append(": ").append(ow.getFromOffset())
                        .append("..").append(ow.getUntilOffset()).append("<br>");
            }
            h.append("<tr><td>v").append(v.getVersion()).append("</td><td>")
                    .append(v.getParentVersion() < 0 ? "-" : "v" + v.getParentVersion()).append("</td><td class=\"l\"><code>")
                    .append(v.getArtifact().getSha256(), 0, 16).append("…</code></td><td class=\"l\">")
                    .append(w.length() == 0 ? "(base model)" : w).append("</td></tr>");
            v = v.getParentVersion() < 0 ? null : byNumber.get(v.getParentVersion());
        }
        h.append("</table>");
    }

    private static void accounting(StringBuilder h, DemoSummary s) {
        DemoSummary.Accounting a = s.accounting();
        h.append("<h2>Feedback accounting</h2><p>Nothing is lost: every record the pairing app read is a source of a"
                + " preference pair, a dead letter with its reason (bad input), a rating still waiting in its window,"
                + " or an outcome (a valid record that ended without a pair of its own: a rating nobody paired with"
                + " in its window, a pair already made) (read back from the topics at the end of the run).</p>"
                + "<table><tr><th>what</th><th>count</th></tr>");
        row(h, "records sent (feedback events + broken records)", s.feedbackSent() + s.malformedSent());
        row(h, "records read by the pairing app", a.recordsIn());
        row(h, "&nbsp;&nbsp;sources of a preference pair", a.pairedEvents());
        row(h, "&nbsp;&nbsp;dead letters", a.deadLetters());
        s.streamsCounts().forEach((k, v) -> {
            if (k.startsWith("dead-letters.")) {
                row(h, "&nbsp;&nbsp;&nbsp;&nbsp;" + escape(k.substring("dead-letters.".length())), v);
            }
        });
        row(h, "&nbsp;&nbsp;ratings still held in a window", a.held());
        row(h, "&nbsp;&nbsp;outcomes", a.outcomes());
        s.streamsCounts().forEach((k, v) -> {
            if (k.startsWith("outcomes.")) {
                row(h, "&nbsp;&nbsp;&nbsp;&nbsp;" + escape(k.substring("outcomes.".length())), v);
            }
        });
        row(h, "preference pairs on tpo.pairs", a.pairs());
        h.append("</table><p>").append(a.reconciles() ? "Reconciles: " : "<b>Does not reconcile</b>: ")
                .append(a.recordsIn()).append(" = ").append(a.pairedEvents()).append(" + ").append(a.deadLetters())
                .append(" + ").append(a.held()).append(" + ").append(a.outcomes()).append("</p>");
    }

    private static void row(StringBuilder h, String what, long count) {
        h.append("<tr><td class=\"l\">").append(what).append("</td><td>").append(count).append("</td></tr>");
    }

    /** The closing table printed on the terminal. */
    public static String summaryTable(DemoSummary s) {
        StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "%-8s %-9s %6s", "version", "status", "pairs"));
        TABLE_COLUMNS.keySet().forEach(c -> b.append(String.format(Locale.ROOT, " %13s", c)));
        b.append('\n');
        for (ModelVersion v : s.versions()) {
            b.append(String.format(Locale.ROOT, "%-8s %-9s %6d", "v" + v.getVersion(), v.getStatus(), v.getPairs()));
            TABLE_COLUMNS.values().forEach(m -> b.append(String.format(Locale.ROOT, " %13s", number(v.getMetrics().get(m)))));
            b.append('\n');
        }
        DemoSummary.Accounting a = s.accounting();
        b.append(String.format(Locale.ROOT, "records in %d = %d pair sources + %d dead letters + %d held ratings + %d "
                + "outcomes (%s)%n", a.recordsIn(), a.pairedEvents(), a.deadLetters(), a.held(), a.outcomes(),
                a.reconciles() ? "reconciles" : "DOES NOT RECONCILE"));
        return b.toString();
    }

    private static String number(Double d) {
        return d == null || d.isNaN() ? "-" : String.format(Locale.ROOT, "%.3f", d);
    }

    private static String duration(double seconds) {
        return String.format(Locale.ROOT, "%dm%02ds", (long) seconds / 60, (long) seconds % 60);
    }

    private static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
