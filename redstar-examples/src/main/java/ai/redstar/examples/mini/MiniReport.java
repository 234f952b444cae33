package ai.redstar.examples.mini;

import ai.redstar.data.LongCotDataset;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * Writes a {@link MiniRedstar.Result} as {@code results.json}, {@code report.md}, {@code report.html} and
 * {@code accuracy.png} (accuracy against SFT records, one line per level and one overall, log-scaled x axis) into the
 * run's folder, and renders the console table. Stateless.
 */
public final class MiniReport {
    /** The file names written into the output folder. */
    public static final String RESULTS = "results.json";
    public static final String MARKDOWN = "report.md";
    public static final String HTML = "report.html";
    public static final String CHART = "accuracy.png";

    static final String DISCLAIMER = "This is a synthetic miniature: a tiny Qwen2-architecture model trained from"
            + " scratch on multi-digit addition written by an imperfect built-in teacher. Every accuracy below was"
            + " measured on held-out problems that no training stage saw.";

    private MiniReport() {
    }

    /** Writes every report file; returns the Markdown file. */
    static Path write(MiniRedstar.Result r, long seed) throws IOException {
        Path out = r.outputDir();
        MiniRedstar.writeAtomically(out.resolve(RESULTS), MiniRedstar.GSON.toJson(toJson(r, seed)));
        chart(r, out.resolve(CHART));
        MiniRedstar.writeAtomically(out.resolve(MARKDOWN), markdown(r, seed));
        MiniRedstar.writeAtomically(out.resolve(HTML), html(r, seed));
        return out.resolve(MARKDOWN);
    }

    private static List<Integer> levels(MiniRedstar.Result r) {
        return new ArrayList<>(r.rl().total().keySet());
    }

    /** The console table: data size → accuracy overall and by level, then SFT → RL and pass@k / maj@k. */
    public static String table(MiniRedstar.Result r) {
        List<Integer> levels = levels(r);
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "%-22s %8s", "model", "overall"));
        for (int l : levels) {
            sb.append(String.format(Locale.ROOT, " %8s", "level " + l));
        }
        sb.append('\n');
        for (MiniRedstar.SizeResult s : r.sizes()) {
            row(sb, "SFT " + s.records() + " records", s.greedy(), levels);
        }
        row(sb, "SFT best (" + r.best().records() + ")", r.best().greedy(), levels);
        row(sb, "+ " + r.strategy().label(), r.rl(), levels);
        int k = r.settings().k();
        row(sb, "SFT best pass@" + k, r.sampled().get(0), levels);
        row(sb, "SFT best maj@" + k, r.sampled().get(1), levels);
        row(sb, r.strategy().label() + " pass@" + k, r.sampled().get(2), levels);
        row(sb, r.strategy().label() + " maj@" + k, r.sampled().get(3), levels);
        return sb.toString();
    }

    private static void row(StringBuilder sb, String name, MiniEvaluation.Score s, List<Integer> levels) {
        sb.append(String.format(Locale.ROOT, "%-22s %8.3f", name, s.accuracy()));
        for (int l : levels) {
            sb.append(String.format(Locale.ROOT, " %8.3f", s.accuracy(l)));
        }
        sb.append('\n');
    }

    private static String markdownTable(MiniRedstar.Result r) {
        List<Integer> levels = levels(r);
        StringBuilder sb = new StringBuilder("| model | held-out problems | overall |");
        for (int l : levels) {
            sb.append(" level ").append(l).append(" |");
        }
        sb.append("\n|---|---|---|");
        sb.append("---|".repeat(levels.size())).append('\n');
        int k = r.settings().k();
        for (MiniRedstar.SizeResult s : r.sizes()) {
            mdRow(sb, "SFT, " + s.records() + " records (greedy)", s.greedy(), levels);
        }
        mdRow(sb, "SFT best, " + r.best().records() + " records (greedy)", r.best().greedy(), levels);
        mdRow(sb, "SFT best + " + r.strategy().label() + " (greedy)", r.rl(), levels);
        mdRow(sb, "SFT best pass@" + k, r.sampled().get(0), levels);
        mdRow(sb, "SFT best maj@" + k, r.sampled().get(1), levels);
        mdRow(sb, r.strategy().label() + " pass@" + k, r.sampled().get(2), levels);
        mdRow(sb, r.strategy().label() + " maj@" + k, r.sampled().get(3), levels);
        return sb.toString();
    }

    private static void mdRow(StringBuilder sb, String name, MiniEvaluation.Score s, List<Integer> levels) {
        int total = s.total().values().stream().mapToInt(Integer::intValue).sum();
        sb.append(String.format(Locale.ROOT, "| %s | %d | %.3f |", name, total, s.accuracy()));
        for (int l : levels) {
            sb.append(String.format(Locale.ROOT, " %.3f |", s.accuracy(l)));
        }
        sb.append('\n');
    }

    static String markdown(MiniRedstar.Result r, long seed) {
        MiniRedstar.Settings st = r.settings();
        StringBuilder sb = new StringBuilder("# Miniature RedStar: results\n\n");
        sb.append(DISCLAIMER).append("\n\n");
        sb.append("## Accuracy on held-out problems\n\n").append(markdownTable(r)).append('\n');
        sb.append(String.format(Locale.ROOT, "Greedy decoding unless marked; pass@%d and maj@%d from %d samples per"
                + " problem at temperature 0.7. Answers graded by RuleVerifier against the exact sum.%n%n", st.k(),
                st.k(), st.k()));
        sb.append("![accuracy against SFT data size](").append(CHART).append(")\n\n");
        List<String> problems = r.directionProblems();
        sb.append("## Direction checks\n\n").append(problems.isEmpty()
                ? "Passed: the largest SFT set is more accurate than the smallest, and RL did not lower accuracy.\n"
                : "FAILED:\n- " + String.join("\n- ", problems) + "\n").append('\n');
        sb.append("## Dataset\n\n");
        JsonObject d = r.dataset();
        sb.append(String.format(Locale.ROOT, "%d problems, %d teacher traces sampled, %d kept after the verifier"
                + " filter and dedup, %d preference pairs.%n%n", num(d, "problems_done"), num(d, "traces_sampled"),
                num(d, "traces_kept"), num(d, "pairs")));
        sb.append("## Settings\n\n```\n").append("seed ").append(seed).append(", strategy ")
                .append(r.strategy().label()).append('\n').append(st).append("\n```\n\n");
        sb.append("## Timings (seconds)\n\n| stage | seconds |\n|---|---|\n");
        for (Map.Entry<String, Double> e : r.stageSeconds().entrySet()) {
            sb.append(String.format(Locale.ROOT, "| %s%s | %.1f |%n", e.getKey(),
                    r.skipped().contains(e.getKey()) ? " (earlier run)" : "", e.getValue()));
        }
        sb.append("\n## Where everything went\n\n");
        for (String[] w : where(r)) {
            sb.append("- ").append(w[0]).append(": `").append(w[1]).append("`\n");
        }
        return sb.toString();
    }

    private static long num(JsonObject o, String key) {
        return o.has(key) && o.get(key).isJsonPrimitive() ? o.get(key).getAsLong() : -1;
    }

    static List<String[]> where(MiniRedstar.Result r) {
        Path out = r.outputDir();
        List<String[]> w = new ArrayList<>();
        w.add(new String[] {"problems (JSONL)", out.resolve("problems").toString()});
        w.add(new String[] {"SFT set", out.resolve("dataset").resolve(LongCotDataset.SFT).toString()});
        w.add(new String[] {"preference pairs", out.resolve("dataset").resolve(LongCotDataset.PAIRS).toString()});
        w.add(new String[] {"dataset report", out.resolve("dataset").resolve(LongCotDataset.REPORT).toString()});
        w.add(new String[] {"tokenizer", out.resolve("tokenizer").toString()});
        for (MiniRedstar.SizeResult s : r.sizes()) {
            w.add(new String[] {"SFT checkpoint, " + s.records() + " records", s.checkpoint().toString()});
        }
        w.add(new String[] {r.strategy().label() + " checkpoint", r.rlCheckpoint().toString()});
        w.add(new String[] {"chart", out.resolve(CHART).toString()});
        w.add(new String[] {"results (JSON)", out.resolve(RESULTS).toString()});
        w.add(new String[] {"report (HTML)", out.resolve(HTML).toString()});
        return w;
    }

    static String html(MiniRedstar.Result r, long seed) {
        StringBuilder sb = new StringBuilder("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
                + "<title>Miniature RedStar</title><style>body{font-family:sans-serif;max-width:60em;margin:2em auto}"
                + "table{border-collapse:collapse}td,th{border:1px solid #999;padding:.2em .6em;text-align:right}"
                + "td:first-child{text-align:left}</style></head><body>\n<h1>Miniature RedStar: results</h1>\n");
        sb.append("<p><strong>").append(esc(DISCLAIMER)).append("</strong></p>\n<h2>Accuracy on held-out problems</h2>\n");
        List<Integer> levels = levels(r);
        sb.append("<table><tr><th>model</th><th>overall</th>");
        for (int l : levels) {
            sb.append("<th>level ").append(l).append("</th>");
        }
        sb.append("</tr>\n");
        int k = r.settings().k();
        for (MiniRedstar.SizeResult s : r.sizes()) {
            htmlRow(sb, "SFT, " + s.records() + " records (greedy)", s.greedy(), levels);
        }
        htmlRow(sb, "SFT best + " + r.strategy().label() + " (greedy)", r.rl(), levels);
        htmlRow(sb, "SFT best pass@" + k, r.sampled().get(0), levels);
        htmlRow(sb, "SFT best maj@" + k, r.sampled().get(1), levels);
        htmlRow(sb, r.strategy().label() + " pass@" + k, r.sampled().get(2), levels);
        htmlRow(sb, r.strategy().label() + " maj@" + k, r.sampled().get(3), levels);
        sb.append("</table>\n<p><img src=\"").append(CHART).append("\" alt=\"accuracy against SFT data size\"></p>\n");
        List<String> problems = r.directionProblems();
        sb.append("<h2>Direction checks</h2>\n<p>").append(problems.isEmpty() ? "Passed."
                : "FAILED: " + esc(String.join("; ", problems))).append("</p>\n");
        sb.append("<h2>Settings</h2>\n<pre>seed ").append(seed).append(", strategy ").append(esc(r.strategy().label()))
                .append('\n').append(esc(r.settings().toString())).append("</pre>\n<h2>Timings</h2>\n<table>");
        for (Map.Entry<String, Double> e : r.stageSeconds().entrySet()) {
            sb.append(String.format(Locale.ROOT, "<tr><td>%s%s</td><td>%.1f s</td></tr>%n", esc(e.getKey()),
                    r.skipped().contains(e.getKey()) ? " (earlier run)" : "", e.getValue()));
        }
        sb.append("</table>\n<h2>Where everything went</h2>\n<ul>\n");
        for (String[] w : where(r)) {
            sb.append("<li>").append(esc(w[0])).append(": <code>").append(esc(w[1])).append("</code></li>\n");
        }
        return sb.append("</ul>\n</body></html>\n").toString();
    }

    private static void htmlRow(StringBuilder sb, String name, MiniEvaluation.Score s, List<Integer> levels) {
        sb.append("<tr><td>").append(esc(name)).append(String.format(Locale.ROOT, "</td><td>%.3f</td>", s.accuracy()));
        for (int l : levels) {
            sb.append(String.format(Locale.ROOT, "<td>%.3f</td>", s.accuracy(l)));
        }
        sb.append("</tr>\n");
    }

    private static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    private static void chart(MiniRedstar.Result r, Path file) throws IOException {
        XYChart chart = new XYChartBuilder().width(720).height(440).title("Held-out accuracy against SFT data size")
                .xAxisTitle("SFT records (log scale)").yAxisTitle("greedy accuracy").build();
        chart.getStyler().setXAxisLogarithmic(r.sizes().size() > 1).setYAxisMin(0.0).setYAxisMax(1.0)
                .setLegendPosition(Styler.LegendPosition.InsideNW);
        double[] x = r.sizes().stream().mapToDouble(MiniRedstar.SizeResult::records).toArray();
        for (int l : levels(r)) {
            double[] y = r.sizes().stream().mapToDouble(s -> s.greedy().accuracy(l)).toArray();
            chart.addSeries("level " + l, x, y);
        }
        double[] all = r.sizes().stream().mapToDouble(s -> s.greedy().accuracy()).toArray();
        chart.addSeries("overall", x, all).setMarker(SeriesMarkers.DIAMOND);
        chart.addSeries("overall after " + r.strategy().label(), new double[] {r.best().records()},
                new double[] {r.rl().accuracy()}).setMarker(SeriesMarkers.CROSS);
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp.png");
        BitmapEncoder.saveBitmap(chart, tmp.toString(), BitmapEncoder.BitmapFormat.PNG);
        java.nio.file.Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    static JsonObject toJson(MiniRedstar.Result r, long seed) {
        JsonObject o = new JsonObject();
        o.addProperty("note", DISCLAIMER);
        o.addProperty("seed", seed);
        o.addProperty("strategy", r.strategy().label());
        o.add("settings", r.settings().toJson());
        JsonArray sizes = new JsonArray();
        for (MiniRedstar.SizeResult s : r.sizes()) {
            JsonObject j = new JsonObject();
            j.addProperty("records", s.records());
            j.addProperty("steps", s.steps());
            j.addProperty("final_loss", s.finalLoss());
            j.addProperty("train_seconds", s.trainSeconds());
            j.add("greedy", s.greedy().toJson());
            j.addProperty("checkpoint", s.checkpoint().toString());
            sizes.add(j);
        }
        o.add("sft", sizes);
        o.addProperty("sft_best_records", r.best().records());
        JsonObject rl = new JsonObject();
        rl.add("greedy", r.rl().toJson());
        rl.addProperty("checkpoint", r.rlCheckpoint().toString());
        o.add("rl", rl);
        JsonObject k = new JsonObject();
        k.addProperty("k", r.settings().k());
        k.add("sft_pass", r.sampled().get(0).toJson());
        k.add("sft_maj", r.sampled().get(1).toJson());
        k.add("rl_pass", r.sampled().get(2).toJson());
        k.add("rl_maj", r.sampled().get(3).toJson());
        o.add("sampled", k);
        JsonObject t = new JsonObject();
        r.stageSeconds().forEach(t::addProperty);
        o.add("stage_seconds", t);
        JsonArray skipped = new JsonArray();
        r.skipped().forEach(skipped::add);
        o.add("skipped", skipped);
        JsonArray dir = new JsonArray();
        r.directionProblems().forEach(dir::add);
        o.add("direction_problems", dir);
        o.add("dataset", r.dataset());
        return o;
    }
}
