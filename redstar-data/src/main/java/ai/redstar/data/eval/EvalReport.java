package ai.redstar.data.eval;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.OptionalDouble;

/**
 * What an {@link Evaluator} measured: one row per difficulty level and one over all problems.
 *
 * <p>{@link Row#accuracy()} is the share of problems answered correctly by greedy decoding when {@link #greedy()}
 * (a greedy pass ran: the only pass when {@code samples == 1} at temperature 0, or the extra pass asked with
 * {@link Evaluator.Builder#greedyPass()}); otherwise it is the mean share of correct samples per problem, the
 * unbiased pass@1. pass@k and maj@k are present when {@code samples > 1}.
 *
 * @param samples samples per problem in the sampled pass (the k of pass@k and maj@k), at least 1
 * @param greedy whether {@link Row#accuracy()} comes from a greedy pass
 * @param levels one row per level, in level order (natural order: "Level 2" before "Level 10"); problems without a
 *     level are under {@link #NO_LEVEL}
 * @param overall the row over all problems, level {@link #OVERALL}
 * @param meanResponseTokens the mean length in tokens of the generated responses, when the responder reports lengths
 * @param elapsed wall-clock time of the evaluation
 * @param settings a description of the sampling settings, for reports
 */
public record EvalReport(int samples, boolean greedy, List<Row> levels, Row overall, OptionalDouble meanResponseTokens,
        Duration elapsed, String settings) {
    /** The level of problems that declare none. */
    public static final String NO_LEVEL = "(none)";
    /** The level of the overall row. */
    public static final String OVERALL = "all";

    public EvalReport {
        if (samples < 1) {
            throw new IllegalArgumentException("samples must be >= 1, got " + samples);
        }
        levels = List.copyOf(levels);
        Objects.requireNonNull(overall, "overall");
        Objects.requireNonNull(meanResponseTokens, "meanResponseTokens");
        Objects.requireNonNull(elapsed, "elapsed");
        Objects.requireNonNull(settings, "settings");
    }

    /**
     * The scores of one level (or of all problems).
     *
     * @param level the level as the problems declare it, {@link #NO_LEVEL} or {@link #OVERALL}
     * @param problems problems in the row, at least 1
     * @param accuracy in [0, 1]; see {@link EvalReport} for which accuracy
     * @param passAtK the unbiased pass@k estimate (Chen et al. 2021), when k &gt; 1
     * @param majAtK the share of problems whose majority answer is correct, when k &gt; 1 (code problems, which are
     *     not voted on, are left out; empty when only code problems are in the row)
     */
    public record Row(String level, int problems, double accuracy, OptionalDouble passAtK, OptionalDouble majAtK) {
        public Row {
            Objects.requireNonNull(level, "level");
            Objects.requireNonNull(passAtK, "passAtK");
            Objects.requireNonNull(majAtK, "majAtK");
            if (problems < 1) {
                throw new IllegalArgumentException("a row needs at least one problem, got " + problems);
            }
        }
    }

    /** The row of a level, if any problem had it. */
    public java.util.Optional<Row> level(String level) {
        return levels.stream().filter(r -> r.level().equals(level)).findFirst();
    }

    /** The report as a JSON object; absent scores are {@code null}. */
    public JsonObject toJsonObject() {
        JsonObject o = new JsonObject();
        o.addProperty("samples", samples);
        o.addProperty("greedy", greedy);
        o.add("overall", row(overall));
        JsonArray rows = new JsonArray();
        levels.forEach(r -> rows.add(row(r)));
        o.add("levels", rows);
        if (meanResponseTokens.isPresent()) {
            o.addProperty("mean_response_tokens", meanResponseTokens.getAsDouble());
        } else {
            o.add("mean_response_tokens", com.google.gson.JsonNull.INSTANCE);
        }
        o.addProperty("elapsed_seconds", elapsed.toMillis() / 1000.0);
        o.addProperty("settings", settings);
        return o;
    }

    /** The report as pretty-printed JSON. */
    public String toJson() {
        return new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().serializeNulls().create()
                .toJson(toJsonObject());
    }

    private JsonObject row(Row r) {
        JsonObject o = new JsonObject();
        o.addProperty("level", r.level());
        o.addProperty("problems", r.problems());
        o.addProperty("accuracy", r.accuracy());
        o.addProperty("accuracy_kind", greedy ? "greedy" : "mean_of_samples");
        if (samples > 1) {
            o.add("pass_at_" + samples, number(r.passAtK()));
            o.add("maj_at_" + samples, number(r.majAtK()));
        }
        return o;
    }

    private static com.google.gson.JsonElement number(OptionalDouble v) {
        return v.isPresent() ? new com.google.gson.JsonPrimitive(v.getAsDouble()) : com.google.gson.JsonNull.INSTANCE;
    }

    /**
     * A plain-text table, one line per level and a last line for all problems, for example:
     * <pre>
     * level     problems  greedy  pass@4   maj@4
     * Level 1         10   0.600   0.800   0.700
     * all             20   0.450   0.650   0.550
     * </pre>
     */
    public String toTable() {
        int width = Math.max(OVERALL.length(), "level".length());
        for (Row r : levels) {
            width = Math.max(width, r.level().length());
        }
        String accuracyName = greedy ? "greedy" : (samples > 1 ? "pass@1" : "accuracy");
        StringBuilder s = new StringBuilder();
        s.append(String.format(Locale.ROOT, "%-" + width + "s  %8s  %8s", "level", "problems", accuracyName));
        if (samples > 1) {
            s.append(String.format(Locale.ROOT, "  %8s  %8s", "pass@" + samples, "maj@" + samples));
        }
        s.append('\n');
        for (Row r : levels) {
            line(s, r, width);
        }
        line(s, overall, width);
        s.append(String.format(Locale.ROOT, "%d problems, %d sample%s each%s, %.1f s", overall.problems(), samples,
                samples == 1 ? "" : "s",
                meanResponseTokens.isPresent()
                        ? String.format(Locale.ROOT, ", %.1f response tokens on average",
                                meanResponseTokens.getAsDouble())
                        : "",
                elapsed.toMillis() / 1000.0));
        s.append('\n');
        return s.toString();
    }

    private void line(StringBuilder s, Row r, int width) {
        s.append(String.format(Locale.ROOT, "%-" + width + "s  %8d  %8.3f", r.level(), r.problems(), r.accuracy()));
        if (samples > 1) {
            s.append(String.format(Locale.ROOT, "  %8s  %8s", cell(r.passAtK()), cell(r.majAtK())));
        }
        s.append('\n');
    }

    private static String cell(OptionalDouble v) {
        return v.isPresent() ? String.format(Locale.ROOT, "%.3f", v.getAsDouble()) : "-";
    }
}
