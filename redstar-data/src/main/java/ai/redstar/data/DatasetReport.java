package ai.redstar.data;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * What a {@link LongCotDataset} run produced, over every run into its output directory (a resumed run reports the
 * whole dataset, not only its own share): counts at each stage (problems read, duplicates, contamination, scoring,
 * selection, traces sampled, dropped per filter and reason, verdicts, kept, pairs), the difficulty histogram with the
 * pass rate per bucket, and the distribution of kept trace lengths in tokens. {@link #toJson()} is what
 * {@code report.json} holds; {@link #toTable()} is a plain-text summary for a terminal.
 *
 * <p>Immutable and thread-safe.
 */
public final class DatasetReport {
    private final JsonObject json;

    DatasetReport(JsonObject json) {
        this.json = Objects.requireNonNull(json, "json").deepCopy();
    }

    /** The report as JSON (a copy); see {@code report.json}. */
    public JsonObject toJson() {
        return json.deepCopy();
    }

    /** The report as indented JSON text. */
    public String toJsonText() {
        return new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().serializeNulls().create().toJson(json);
    }

    private long count(String section, String field) {
        JsonObject s = json.getAsJsonObject(section);
        return s != null && s.has(field) ? s.get(field).getAsLong() : 0;
    }

    /** Problems read from the input (malformed lines excluded). */
    public long problemsRead() {
        return count("problems", "read");
    }

    /** Problems selected for sampling. */
    public long problemsSelected() {
        return count("problems", "selected");
    }

    /** Selected problems finished (sampled, filtered and written). */
    public long problemsDone() {
        return count("problems", "done");
    }

    /** Whether every selected problem is finished. */
    public boolean complete() {
        return problemsDone() == problemsSelected();
    }

    public long tracesSampled() {
        return count("traces", "sampled");
    }

    /** Traces written as SFT records. */
    public long tracesKept() {
        return count("traces", "kept");
    }

    /** Preference pairs written. */
    public long pairs() {
        return count("traces", "pairs");
    }

    /** Problems dropped at screening, by status ("exact_duplicate", "near_duplicate", "contaminated", "unscored"). */
    public Map<String, Long> screened() {
        Map<String, Long> out = new LinkedHashMap<>();
        JsonObject s = json.getAsJsonObject("problems");
        for (String k : new String[] {"exact_duplicate", "near_duplicate", "contaminated", "unscored"}) {
            out.put(k, s.has(k) ? s.get(k).getAsLong() : 0);
        }
        return out;
    }

    /** Dropped traces by {@code filter/reason} (the first filter that dropped each; "verified/..." last). */
    public Map<String, Long> drops() {
        Map<String, Long> out = new LinkedHashMap<>();
        JsonObject d = json.getAsJsonObject("traces").getAsJsonObject("drops");
        for (Map.Entry<String, JsonElement> f : d.entrySet()) {
            for (Map.Entry<String, JsonElement> r : f.getValue().getAsJsonObject().entrySet()) {
                out.put(f.getKey() + "/" + r.getKey(), r.getValue().getAsLong());
            }
        }
        return out;
    }

    /** A plain-text summary: one block per stage. */
    public String toTable() {
        StringBuilder s = new StringBuilder();
        JsonObject p = json.getAsJsonObject("problems");
        JsonObject t = json.getAsJsonObject("traces");
        s.append("Problems\n");
        row(s, "read", p, "read");
        row(s, "malformed lines skipped", p, "malformed_skipped");
        row(s, "exact duplicates", p, "exact_duplicate");
        row(s, "near duplicates", p, "near_duplicate");
        row(s, "contaminated", p, "contaminated");
        row(s, "unscored", p, "unscored");
        row(s, "selected", p, "selected");
        row(s, "done", p, "done");
        if (p.has("sampler_failures") && p.get("sampler_failures").getAsLong() > 0) {
            row(s, "sampler failures (this run)", p, "sampler_failures");
        }
        s.append("Traces\n");
        row(s, "sampled", t, "sampled");
        for (Map.Entry<String, JsonElement> v : t.getAsJsonObject("verdicts").entrySet()) {
            s.append(String.format(Locale.ROOT, "  %-34s %10d%n", "verdict " + v.getKey(), v.getValue().getAsLong()));
        }
        for (Map.Entry<String, Long> d : drops().entrySet()) {
            s.append(String.format(Locale.ROOT, "  %-34s %10d%n", "dropped " + d.getKey(), d.getValue()));
        }
        row(s, "kept (SFT records)", t, "kept");
        row(s, "preference pairs", t, "pairs");
        JsonArray buckets = json.getAsJsonObject("difficulty").getAsJsonArray("buckets");
        if (!buckets.isEmpty()) {
            s.append("Difficulty\n");
            s.append(String.format(Locale.ROOT, "  %-6s %-14s %8s %9s %7s %8s %9s %7s%n", "bucket", "range", "scored",
                    "selected", "done", "traces", "pass rate", "kept"));
            for (JsonElement e : buckets) {
                JsonObject b = e.getAsJsonObject();
                s.append(String.format(Locale.ROOT, "  %-6d %-14s %8d %9d %7d %8d %9s %7d%n",
                        b.get("bucket").getAsInt(), b.get("range").getAsString(), b.get("scored").getAsLong(),
                        b.get("selected").getAsLong(), b.get("done").getAsLong(), b.get("traces").getAsLong(),
                        b.get("pass_rate").isJsonNull() ? "-" : String.format(Locale.ROOT, "%.3f",
                                b.get("pass_rate").getAsDouble()), b.get("kept").getAsLong()));
            }
        }
        JsonObject l = json.getAsJsonObject("lengths");
        s.append("Kept trace lengths (tokens)\n");
        if (l.get("count").getAsLong() == 0) {
            s.append("  none\n");
        } else {
            s.append(String.format(Locale.ROOT, "  n %d, mean %.0f, min %d, p10 %d, p50 %d, p90 %d, max %d%n",
                    l.get("count").getAsLong(), l.get("mean").getAsDouble(), l.get("min").getAsLong(),
                    l.get("p10").getAsLong(), l.get("p50").getAsLong(), l.get("p90").getAsLong(),
                    l.get("max").getAsLong()));
            for (JsonElement e : l.getAsJsonArray("histogram")) {
                JsonObject h = e.getAsJsonObject();
                s.append(String.format(Locale.ROOT, "  %8d - %-8d %10d%n", h.get("from").getAsLong(),
                        h.get("to").getAsLong(), h.get("count").getAsLong()));
            }
        }
        return s.toString();
    }

    private static void row(StringBuilder s, String label, JsonObject section, String field) {
        s.append(String.format(Locale.ROOT, "  %-34s %10d%n", label,
                section.has(field) ? section.get(field).getAsLong() : 0));
    }

    @Override
    public String toString() {
        return "DatasetReport{read=" + problemsRead() + ", selected=" + problemsSelected() + ", done="
                + problemsDone() + ", sampled=" + tracesSampled() + ", kept=" + tracesKept() + ", pairs=" + pairs()
                + "}";
    }
}
