package io.tpostream.ops.demo;

import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Line and scatter charts (JFreeChart) rendered to PNG, for the demo report and the study's pictures. */
public final class Charts {

    private static final Color[] PALETTE = {new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c),
            new Color(0xff7f0e), new Color(0x9467bd)};

    private Charts() {
    }

    /** One named series of (x, y) points. */
    public record Series(String name, List<double[]> points) {
    }

    static byte[] lineChart(String title, String xLabel, String yLabel, List<Series> series) {
        return lineChart(title, xLabel, yLabel, series, true);
    }

    /** Points only, no lines, both axes zoomed to the data: one mark per (x, y). */
    public static byte[] scatterChart(String title, String xLabel, String yLabel, List<Series> series) {
        return render(title, xLabel, yLabel, series, false, false);
    }

    /** @param fromZero whether the value axis starts at zero (false zooms in on small changes, e.g. F1 near 0.9) */
    static byte[] lineChart(String title, String xLabel, String yLabel, List<Series> series, boolean fromZero) {
        return render(title, xLabel, yLabel, series, fromZero, true);
    }

    private static byte[] render(String title, String xLabel, String yLabel, List<Series> series, boolean fromZero,
                                 boolean lines) {
        XYSeriesCollection data = new XYSeriesCollection();
        for (Series s : series) {
            XYSeries xy = new XYSeries(s.name(), false, true);
            s.points().stream().filter(p -> Double.isFinite(p[1])).forEach(p -> xy.add(p[0], p[1]));
            data.addSeries(xy);
        }
        JFreeChart chart = ChartFactory.createXYLineChart(title, xLabel, yLabel, data, PlotOrientation.VERTICAL,
                true, false, false);
        chart.setBackgroundPaint(Color.WHITE);
        XYPlot plot = chart.getXYPlot();
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(new Color(0xdddddd));
        plot.setRangeGridlinePaint(new Color(0xdddddd));
        XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(lines, true);
        for (int i = 0; i < series.size(); i++) {
            renderer.setSeriesPaint(i, PALETTE[i % PALETTE.length]);
            renderer.setSeriesStroke(i, new BasicStroke(2f));
        }
        plot.setRenderer(renderer);
        ((org.jfree.chart.axis.NumberAxis) plot.getRangeAxis()).setAutoRangeIncludesZero(fromZero);
        ((org.jfree.chart.axis.NumberAxis) plot.getDomainAxis()).setAutoRangeIncludesZero(lines && fromZero);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ChartUtils.writeChartAsPNG(out, chart, 560, 300);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    static String dataUri(byte[] png) {
        return "data:image/png;base64," + Base64.getEncoder().encodeToString(png);
    }

    /** Series of one metric per key, from per-version metric maps. */
    static List<Series> seriesOf(Map<Long, Map<String, Double>> byVersion, Map<String, String> metricsByLabel) {
        Map<String, Series> out = new LinkedHashMap<>();
        metricsByLabel.forEach((label, metric) -> out.put(label, new Series(label, new java.util.ArrayList<>())));
        byVersion.forEach((version, metrics) -> metricsByLabel.forEach((label, metric) -> {
            Double v = metrics.get(metric);
            if (v != null) {
                out.get(label).points().add(new double[] {version, v});
            }
        }));
        return List.copyOf(out.values());
    }
}
