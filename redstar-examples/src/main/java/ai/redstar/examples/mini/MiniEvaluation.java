package ai.redstar.examples.mini;

import ai.redstar.core.model.CausalLm;
import ai.redstar.core.progress.Progress;
import ai.redstar.core.tokenizer.ChatTokenizer;
import ai.redstar.data.eval.EvalReport;
import ai.redstar.data.eval.Evaluator;
import ai.redstar.data.problem.Problem;
import ai.redstar.data.problem.PromptTemplate;
import ai.redstar.verify.RuleVerifier;
import com.google.gson.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.ToDoubleFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Held-out evaluation of the miniature through {@link Evaluator}: greedy accuracy by level, and pass@k / maj@k from
 * {@code k} samples per problem, every answer graded by {@link RuleVerifier} against the exact sum. Not thread-safe.
 */
final class MiniEvaluation {
    /** Sequences decoded together. */
    private static final int CHUNK = 64;
    private static final Pattern LEVEL = Pattern.compile("\\d+");

    private final ChatTokenizer tokenizer;
    private final List<MiniProblem> problems;
    private final RuleVerifier verifier;
    private final int maxNewTokens;
    private final Progress.Mode progress;

    MiniEvaluation(ChatTokenizer tokenizer, List<MiniProblem> problems, int maxNewTokens, Progress.Mode progress) {
        this.tokenizer = tokenizer;
        this.problems = List.copyOf(problems);
        this.verifier = RuleVerifier.builder().build();
        this.maxNewTokens = maxNewTokens;
        this.progress = progress;
    }

    /** The prompt of a problem exactly as the SFT data renders it (the standard math prompt, ChatML). */
    static int[] promptIds(ChatTokenizer tokenizer, MiniProblem p) {
        return tokenizer.encode(tokenizer.applyChatTemplate(PromptTemplate.standard().messages(p.toProblem(1)), true));
    }

    /**
     * Counts of one evaluation by level.
     *
     * @param correct level → problems counted correct
     * @param total level → problems
     */
    record Score(Map<Integer, Integer> correct, Map<Integer, Integer> total) {
        double accuracy() {
            int c = correct.values().stream().mapToInt(Integer::intValue).sum();
            int t = total.values().stream().mapToInt(Integer::intValue).sum();
            return t == 0 ? 0 : (double) c / t;
        }

        double accuracy(int level) {
            int t = total.getOrDefault(level, 0);
            return t == 0 ? 0 : (double) correct.getOrDefault(level, 0) / t;
        }

        JsonObject toJson() {
            JsonObject o = new JsonObject();
            o.addProperty("accuracy", accuracy());
            JsonObject levels = new JsonObject();
            for (int level : total.keySet()) {
                JsonObject l = new JsonObject();
                l.addProperty("correct", correct.getOrDefault(level, 0));
                l.addProperty("total", total.get(level));
                l.addProperty("accuracy", accuracy(level));
                levels.add(Integer.toString(level), l);
            }
            o.add("by_level", levels);
            return o;
        }

        static Score fromJson(JsonObject o) {
            Map<Integer, Integer> c = new TreeMap<>();
            Map<Integer, Integer> t = new TreeMap<>();
            for (var e : o.getAsJsonObject("by_level").entrySet()) {
                int level = Integer.parseInt(e.getKey());
                c.put(level, e.getValue().getAsJsonObject().get("correct").getAsInt());
                t.put(level, e.getValue().getAsJsonObject().get("total").getAsInt());
            }
            return new Score(c, t);
        }
    }

    /** Greedy decoding, one answer per problem. */
    Score greedy(CausalLm model) {
        EvalReport report = evaluator(model, 1, 0, 0).evaluate(asProblems());
        return counts(report, EvalReport.Row::accuracy);
    }

    /**
     * {@code k} samples per problem at {@code temperature}: element 0 is pass@k (some sample is correct), element 1
     * maj@k (the most frequent extracted answer is correct).
     */
    Score[] sampled(CausalLm model, int k, double temperature, long seed) {
        EvalReport report = evaluator(model, k, temperature, seed).evaluate(asProblems());
        return new Score[] {counts(report, r -> r.passAtK().orElse(0)), counts(report, r -> r.majAtK().orElse(0))};
    }

    private Evaluator evaluator(CausalLm model, int k, double temperature, long seed) {
        Evaluator.Builder b = Evaluator.builder(model, tokenizer, verifier).samples(k).maxNewTokens(maxNewTokens)
                .batchRows(CHUNK).progress(progress);
        if (k > 1) {
            b.temperature(temperature).topP(1.0).seed(seed);
        }
        return b.build();
    }

    private List<Problem> asProblems() {
        List<Problem> out = new ArrayList<>();
        for (int i = 0; i < problems.size(); i++) {
            out.add(problems.get(i).toProblem(i + 1));
        }
        return out;
    }

    /** Per-level counts from a report's shares ({@code share × problems}, rounded). */
    private Score counts(EvalReport report, ToDoubleFunction<EvalReport.Row> share) {
        Map<Integer, Integer> correct = new TreeMap<>();
        Map<Integer, Integer> total = new TreeMap<>();
        for (EvalReport.Row row : report.levels()) {
            Matcher m = LEVEL.matcher(row.level());
            if (!m.find()) {
                throw new IllegalStateException("evaluation row level '" + row.level() + "' names no level number");
            }
            int level = Integer.parseInt(m.group());
            total.put(level, row.problems());
            correct.put(level, (int) Math.round(share.applyAsDouble(row) * row.problems()));
        }
        return new Score(correct, total);
    }
}
