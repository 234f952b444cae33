package ai.redstar.examples.mini;

import ai.redstar.core.generate.Completion;
import ai.redstar.core.generate.GenerationRequest;
import ai.redstar.core.generate.GenerationResult;
import ai.redstar.core.generate.Generator;
import ai.redstar.core.generate.SamplingParams;
import ai.redstar.core.model.CausalLm;
import ai.redstar.core.progress.Progress;
import ai.redstar.core.tokenizer.ChatTokenizer;
import ai.redstar.data.problem.PromptTemplate;
import ai.redstar.verify.Gold;
import ai.redstar.verify.RuleVerifier;
import com.google.gson.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Held-out evaluation of the miniature: greedy accuracy by level, and pass@k / maj@k from {@code k} samples per
 * problem, every answer graded by {@link RuleVerifier} against the exact sum. Not thread-safe.
 */
final class MiniEvaluation {
    /** Problems generated together; bounds memory and sets the progress granularity. */
    private static final int CHUNK = 64;

    private final ChatTokenizer tokenizer;
    private final List<MiniProblem> problems;
    private final List<int[]> prompts;
    private final RuleVerifier verifier;
    private final int maxNewTokens;
    private final int stopId;
    private final Progress.Mode progress;

    MiniEvaluation(ChatTokenizer tokenizer, List<MiniProblem> problems, int maxNewTokens, int stopId,
            Progress.Mode progress) {
        this.tokenizer = tokenizer;
        this.problems = List.copyOf(problems);
        this.verifier = RuleVerifier.builder().build();
        this.maxNewTokens = maxNewTokens;
        this.stopId = stopId;
        this.progress = progress;
        this.prompts = new ArrayList<>();
        for (MiniProblem p : problems) {
            prompts.add(promptIds(tokenizer, p));
        }
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
    Score greedy(CausalLm model, String task) {
        SamplingParams params = SamplingParams.builder(maxNewTokens).temperature(0).stopTokenIds(stopId).build();
        List<List<String>> answers = generate(model, params, task);
        Map<Integer, Integer> correct = new TreeMap<>();
        Map<Integer, Integer> total = new TreeMap<>();
        for (int i = 0; i < problems.size(); i++) {
            MiniProblem p = problems.get(i);
            boolean ok = verifier.verify(answers.get(i).get(0), Gold.math(p.answer())).correct();
            total.merge(p.level(), 1, Integer::sum);
            correct.merge(p.level(), ok ? 1 : 0, Integer::sum);
        }
        return new Score(correct, total);
    }

    /**
     * {@code k} samples per problem at {@code temperature}: element 0 is pass@k (some sample is correct), element 1
     * maj@k (the most frequent extracted answer is correct).
     */
    Score[] sampled(CausalLm model, int k, double temperature, long seed, String task) {
        SamplingParams params = SamplingParams.builder(maxNewTokens).temperature(temperature).samplesPerPrompt(k)
                .seed(seed).stopTokenIds(stopId).build();
        List<List<String>> answers = generate(model, params, task);
        Map<Integer, Integer> pass = new TreeMap<>();
        Map<Integer, Integer> maj = new TreeMap<>();
        Map<Integer, Integer> total = new TreeMap<>();
        for (int i = 0; i < problems.size(); i++) {
            MiniProblem p = problems.get(i);
            Gold gold = Gold.math(p.answer());
            boolean any = false;
            for (String a : answers.get(i)) {
                any |= verifier.verify(a, gold).correct();
            }
            boolean majority = verifier.majority(answers.get(i), gold).verdict().correct();
            total.merge(p.level(), 1, Integer::sum);
            pass.merge(p.level(), any ? 1 : 0, Integer::sum);
            maj.merge(p.level(), majority ? 1 : 0, Integer::sum);
        }
        return new Score[] {new Score(pass, total), new Score(maj, total)};
    }

    private List<List<String>> generate(CausalLm model, SamplingParams params, String task) {
        Generator generator = Generator.builder(model).decoder(ids -> tokenizer.decode(ids, true))
                .maxBatchRows(CHUNK).build();
        List<List<String>> out = new ArrayList<>();
        try (Progress bar = Progress.start(task, problems.size(), progress)) {
            for (int from = 0; from < problems.size(); from += CHUNK) {
                List<GenerationRequest> requests = new ArrayList<>();
                for (int[] p : prompts.subList(from, Math.min(prompts.size(), from + CHUNK))) {
                    requests.add(GenerationRequest.of(p, params));
                }
                for (GenerationResult r : generator.generate(requests)) {
                    List<String> texts = new ArrayList<>();
                    for (Completion c : r.completions()) {
                        texts.add(c.text().orElseGet(() -> tokenizer.decode(c.tokenIds(), true)));
                    }
                    out.add(texts);
                }
                bar.stepTo(out.size());
            }
        }
        return out;
    }
}
