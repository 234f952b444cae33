package ai.redstar.data.eval;

import ai.redstar.core.generate.Completion;
import ai.redstar.core.generate.GenerationRequest;
import ai.redstar.core.generate.GenerationResult;
import ai.redstar.core.generate.Generator;
import ai.redstar.core.generate.SamplingParams;
import ai.redstar.core.jsonl.Jsonl;
import ai.redstar.core.jsonl.JsonlWriter;
import ai.redstar.core.jsonl.MalformedLinePolicy;
import ai.redstar.core.model.CausalLm;
import ai.redstar.core.progress.Progress;
import ai.redstar.core.tokenizer.ChatTokenizer;
import ai.redstar.data.problem.Problem;
import ai.redstar.data.problem.ProblemFormat;
import ai.redstar.data.problem.ProblemReader;
import ai.redstar.data.problem.PromptTemplate;
import ai.redstar.verify.Gold;
import ai.redstar.verify.MajorityVerdict;
import ai.redstar.verify.RuleVerifier;
import ai.redstar.verify.Submission;
import ai.redstar.verify.Verdict;
import ai.redstar.verify.eval.PassAtK;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Evaluates a model on problems with known answers: samples {@code k} responses per problem, grades each with the
 * {@link RuleVerifier}, and reports accuracy, pass@k (the unbiased estimator, {@link PassAtK}) and maj@k
 * ({@link RuleVerifier#majority}), overall and by the problems' declared level, in an {@link EvalReport}.
 *
 * <pre>{@code
 * Evaluator evaluator = Evaluator.builder(model, tokenizer, RuleVerifier.builder().build())
 *         .samples(8).temperature(0.6).topP(0.95).maxNewTokens(1024).greedyPass().build();
 * EvalReport report = evaluator.evaluate(Path.of("test.jsonl"), ProblemFormat.generic(), Path.of("verdicts.jsonl"));
 * System.out.print(report.toTable());
 * }</pre>
 *
 * <p>Passes. With {@code samples == 1} at temperature 0 (the default for one sample) one greedy pass runs and
 * {@link EvalReport.Row#accuracy()} is greedy accuracy. With {@code samples > 1} a sampled pass gives pass@k and
 * maj@k, and accuracy is the mean share of correct samples, unless {@link Builder#greedyPass()} adds a greedy pass
 * whose accuracy is reported instead.
 *
 * <p>Prompts. Each problem becomes a conversation by the {@link PromptTemplate}, rendered with the tokenizer's chat
 * template (generation prompt added). Generation stops at the model's EOS ids and the tokenizer's end-of-turn tokens
 * or at {@link Builder#maxNewTokens}; responses are decoded with special tokens skipped. A {@link Responder} replaces
 * the model altogether (another engine, a server, or a script in tests).
 *
 * <p>Randomness. The sampled pass uses the seed {@link Builder#seed} for every problem; the generator's streams
 * also depend on the prompt and the sample index, so results do not depend on batch composition.
 *
 * <p>Immutable. Uses but does not own or close the model and tokenizer. {@link #evaluate} may be called from several
 * threads when the model's forward pass (read-only) or the responder may be shared; each call generates on the
 * calling thread.
 */
public final class Evaluator {
    private static final Pattern NUMBER = Pattern.compile("(\\d+)");

    /** Which pass a response belongs to. */
    public enum Pass {
        /** One response per problem by greedy decoding (temperature 0). */
        GREEDY,
        /** {@code samples} responses per problem at the configured temperature and top-p. */
        SAMPLED
    }

    /**
     * Where responses come from when no local model is used.
     */
    @FunctionalInterface
    public interface Responder {
        /**
         * The responses to one problem.
         *
         * @param problem the problem (its question is in {@link Problem#question()})
         * @param pass {@link Pass#GREEDY} for one greedy response, {@link Pass#SAMPLED} for sampled ones
         * @param samples how many responses to return: 1 for the greedy pass
         * @param seed the sampling seed
         * @return exactly {@code samples} responses
         */
        List<String> respond(Problem problem, Pass pass, int samples, long seed);
    }

    /** One generated response: its text and, when known, its length in tokens. */
    private record Response(String text, OptionalInt tokens) {
    }

    /** Generates the responses of a batch of problems. */
    private interface Source {
        List<List<Response>> respond(List<Problem> problems, Pass pass, int samples, long seed);
    }

    private final Source source;
    private final String sourceName;
    private final RuleVerifier verifier;
    private final int samples;
    private final double temperature;
    private final double topP;
    private final int maxNewTokens;
    private final long seed;
    private final int batchRows;
    private final PromptTemplate template;
    private final boolean greedyPass;
    private final Progress.Mode progress;

    private Evaluator(Builder b) {
        this.verifier = b.verifier;
        this.samples = b.samples == null ? 1 : b.samples;
        this.temperature = b.temperature != null ? b.temperature : samples == 1 ? 0.0 : 0.6;
        this.topP = b.topP == null ? 0.95 : b.topP;
        this.maxNewTokens = b.maxNewTokens == null ? 1024 : b.maxNewTokens;
        this.seed = b.seed == null ? 0L : b.seed;
        this.batchRows = b.batchRows == null ? 32 : b.batchRows;
        this.template = b.template == null ? PromptTemplate.standard() : b.template;
        this.greedyPass = b.greedyPass != null && b.greedyPass && !(samples == 1 && temperature == 0);
        this.progress = b.progress;
        if (b.responder != null) {
            Responder r = b.responder;
            this.sourceName = "responder";
            this.source = (problems, pass, n, s) -> {
                List<List<Response>> all = new ArrayList<>(problems.size());
                for (Problem p : problems) {
                    List<String> texts = Objects.requireNonNull(r.respond(p, pass, n, s),
                            "the responder returned null for " + p.id());
                    if (texts.size() != n) {
                        throw new IllegalStateException("the responder returned " + texts.size()
                                + " responses for problem " + p.id() + " (" + pass + " pass); " + n + " were asked");
                    }
                    all.add(texts.stream().map(t -> new Response(Objects.requireNonNull(t, "response"),
                            OptionalInt.empty())).toList());
                }
                return all;
            };
        } else {
            this.sourceName = b.tokenizer.folder() != null && b.tokenizer.folder().getFileName() != null
                    ? b.tokenizer.folder().getFileName().toString() : "model";
            this.source = modelSource(b.model, b.tokenizer);
        }
    }

    /** An evaluator generating with {@code model}, prompting through {@code tokenizer}'s chat template. */
    public static Builder builder(CausalLm model, ChatTokenizer tokenizer, RuleVerifier verifier) {
        return new Builder(Objects.requireNonNull(model, "model"), Objects.requireNonNull(tokenizer, "tokenizer"),
                null, verifier);
    }

    /** An evaluator taking its responses from {@code responder}; the prompt template is not used. */
    public static Builder builder(Responder responder, RuleVerifier verifier) {
        return new Builder(null, null, Objects.requireNonNull(responder, "responder"), verifier);
    }

    public int samples() {
        return samples;
    }

    public double temperature() {
        return temperature;
    }

    public double topP() {
        return topP;
    }

    public int maxNewTokens() {
        return maxNewTokens;
    }

    public long seed() {
        return seed;
    }

    public int batchRows() {
        return batchRows;
    }

    public PromptTemplate promptTemplate() {
        return template;
    }

    /** Whether a greedy pass runs in addition to the sampled one. */
    public boolean greedyPass() {
        return greedyPass;
    }

    /** A description of the settings, for reports and manifests. */
    public String settings() {
        return String.format(Locale.ROOT,
                "Evaluator{%s, samples %d, temperature %s, top-p %s, max new tokens %d, seed %d, batch rows %d%s}",
                sourceName, samples, temperature, topP, maxNewTokens, seed, batchRows,
                greedyPass ? ", greedy pass" : "");
    }

    @Override
    public String toString() {
        return settings();
    }

    /**
     * Reads every problem of a JSONL file (a malformed line is an error) and evaluates them.
     *
     * @param verdicts where to write one JSON line per response, replacing the file; {@code null} for none
     * @throws ai.redstar.core.jsonl.JsonlException naming the line and field of a malformed problem
     */
    public EvalReport evaluate(Path problemsJsonl, ProblemFormat format, Path verdicts) {
        Objects.requireNonNull(problemsJsonl, "problemsJsonl");
        Objects.requireNonNull(format, "format");
        List<Problem> problems = new ArrayList<>();
        try (ProblemReader reader = ProblemReader.open(problemsJsonl, format, MalformedLinePolicy.FAIL)) {
            reader.forEachRemaining(problems::add);
        }
        if (problems.isEmpty()) {
            throw new IllegalArgumentException(problemsJsonl + " holds no problems; nothing to evaluate");
        }
        return evaluate(problems, verdicts);
    }

    /** Evaluates the problems without writing verdicts. */
    public EvalReport evaluate(List<Problem> problems) {
        return evaluate(problems, null);
    }

    /**
     * Evaluates the problems.
     *
     * @param verdicts where to write one JSON line per response ({@code id}, {@code level}, {@code pass},
     *     {@code sample}, {@code response}, {@code extracted_answer}, {@code correct}, {@code reason}, {@code tokens}),
     *     replacing the file; {@code null} for none
     * @throws IllegalArgumentException when the list is empty
     */
    public EvalReport evaluate(List<Problem> problems, Path verdicts) {
        Objects.requireNonNull(problems, "problems");
        if (problems.isEmpty()) {
            throw new IllegalArgumentException("no problems to evaluate");
        }
        long start = System.nanoTime();
        boolean sampledIsGreedy = samples == 1 && temperature == 0;
        int rowsPerProblem = samples + (greedyPass ? 1 : 0);
        int chunk = Math.max(1, batchRows / rowsPerProblem);
        List<Outcome> outcomes = new ArrayList<>(problems.size());
        long tokenSum = 0;
        long tokenCount = 0;
        JsonlWriter writer = verdicts == null ? null : replace(verdicts);
        try (Progress bar = progress == null ? Progress.start("eval", problems.size())
                : Progress.start("eval", problems.size(), progress)) {
            int correctSoFar = 0;
            int sampledSoFar = 0;
            for (int from = 0; from < problems.size(); from += chunk) {
                List<Problem> batch = problems.subList(from, Math.min(problems.size(), from + chunk));
                List<List<Response>> greedy = greedyPass ? source.respond(batch, Pass.GREEDY, 1, seed) : null;
                List<List<Response>> sampled = source.respond(batch,
                        sampledIsGreedy ? Pass.GREEDY : Pass.SAMPLED, samples, seed);
                List<Submission> submissions = new ArrayList<>();
                for (int i = 0; i < batch.size(); i++) {
                    Gold gold = batch.get(i).gold();
                    if (greedy != null) {
                        submissions.add(new Submission(greedy.get(i).get(0).text(), gold));
                    }
                    for (Response r : sampled.get(i)) {
                        submissions.add(new Submission(r.text(), gold));
                    }
                }
                List<Verdict> graded = verifier.verifyAll(submissions);
                int next = 0;
                for (int i = 0; i < batch.size(); i++) {
                    Problem p = batch.get(i);
                    String level = p.level().orElse(EvalReport.NO_LEVEL);
                    Boolean greedyCorrect = null;
                    if (greedy != null) {
                        Response r = greedy.get(i).get(0);
                        Verdict v = graded.get(next++);
                        greedyCorrect = v.correct();
                        write(writer, p, level, Pass.GREEDY, 0, r, v);
                        if (r.tokens().isPresent()) {
                            tokenSum += r.tokens().getAsInt();
                            tokenCount++;
                        }
                    }
                    int correct = 0;
                    List<String> texts = new ArrayList<>(samples);
                    for (int s = 0; s < samples; s++) {
                        Response r = sampled.get(i).get(s);
                        Verdict v = graded.get(next++);
                        texts.add(r.text());
                        if (v.correct()) {
                            correct++;
                        }
                        write(writer, p, level, sampledIsGreedy ? Pass.GREEDY : Pass.SAMPLED, s, r, v);
                        if (r.tokens().isPresent()) {
                            tokenSum += r.tokens().getAsInt();
                            tokenCount++;
                        }
                    }
                    if (sampledIsGreedy) {
                        greedyCorrect = correct == 1;
                    }
                    Boolean majCorrect = null;
                    if (samples > 1 && !(p.gold() instanceof Gold.Code)) {
                        MajorityVerdict m = verifier.majority(texts, p.gold());
                        majCorrect = m.verdict().correct();
                    }
                    outcomes.add(new Outcome(level, greedyCorrect, correct, majCorrect));
                    correctSoFar += correct;
                    sampledSoFar += samples;
                }
                bar.step(batch.size());
                bar.status(String.format(Locale.ROOT, "correct %.3f", correctSoFar / (double) sampledSoFar));
            }
        } finally {
            if (writer != null) {
                writer.close();
            }
        }
        Map<String, List<Outcome>> byLevel = new TreeMap<>(Evaluator::compareLevels);
        for (Outcome o : outcomes) {
            byLevel.computeIfAbsent(o.level(), l -> new ArrayList<>()).add(o);
        }
        List<EvalReport.Row> rows = new ArrayList<>();
        byLevel.forEach((level, list) -> rows.add(row(level, list)));
        Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
        return new EvalReport(samples, greedyPass || sampledIsGreedy, rows, row(EvalReport.OVERALL, outcomes),
                tokenCount == 0 ? OptionalDouble.empty() : OptionalDouble.of(tokenSum / (double) tokenCount),
                elapsed, settings());
    }

    /** One problem's grades. */
    private record Outcome(String level, Boolean greedyCorrect, int correct, Boolean majCorrect) {
    }

    private EvalReport.Row row(String level, List<Outcome> outcomes) {
        double accuracy = 0;
        List<PassAtK.Tally> tallies = new ArrayList<>(outcomes.size());
        int voted = 0;
        int majority = 0;
        for (Outcome o : outcomes) {
            accuracy += o.greedyCorrect() != null ? (o.greedyCorrect() ? 1 : 0) : o.correct() / (double) samples;
            tallies.add(new PassAtK.Tally(samples, o.correct()));
            if (o.majCorrect() != null) {
                voted++;
                majority += o.majCorrect() ? 1 : 0;
            }
        }
        accuracy /= outcomes.size();
        OptionalDouble pass = samples > 1 ? OptionalDouble.of(PassAtK.mean(tallies, samples)) : OptionalDouble.empty();
        OptionalDouble maj = samples > 1 && voted > 0 ? OptionalDouble.of(majority / (double) voted)
                : OptionalDouble.empty();
        return new EvalReport.Row(level, outcomes.size(), accuracy, pass, maj);
    }

    /**
     * Natural order of levels: texts equal but for their first number compare by that number ("Level 2" before
     * "Level 10"); otherwise alphabetically; {@link EvalReport#NO_LEVEL} last.
     */
    static int compareLevels(String a, String b) {
        if (a.equals(b)) {
            return 0;
        }
        if (a.equals(EvalReport.NO_LEVEL) || b.equals(EvalReport.NO_LEVEL)) {
            return a.equals(EvalReport.NO_LEVEL) ? 1 : -1;
        }
        Matcher ma = NUMBER.matcher(a);
        Matcher mb = NUMBER.matcher(b);
        if (ma.find() && mb.find() && a.substring(0, ma.start()).equals(b.substring(0, mb.start()))) {
            int byNumber = new java.math.BigInteger(ma.group(1)).compareTo(new java.math.BigInteger(mb.group(1)));
            if (byNumber != 0) {
                return byNumber;
            }
        }
        return a.compareTo(b);
    }

    private static JsonlWriter replace(Path file) {
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot replace the verdicts file " + file, e);
        }
        return Jsonl.append(file);
    }

    private static void write(JsonlWriter writer, Problem p, String level, Pass pass, int sample, Response r,
            Verdict v) {
        if (writer == null) {
            return;
        }
        JsonObject o = new JsonObject();
        o.addProperty("id", p.id());
        o.addProperty("level", level);
        o.addProperty("pass", pass.name().toLowerCase(Locale.ROOT));
        o.addProperty("sample", sample);
        o.addProperty("response", r.text());
        o.addProperty("extracted_answer", v.answer());
        o.addProperty("gold", p.answer());
        o.addProperty("correct", v.correct());
        o.addProperty("reason", v.reason().name());
        if (r.tokens().isPresent()) {
            o.addProperty("tokens", r.tokens().getAsInt());
        }
        writer.write(o);
    }

    private Source modelSource(CausalLm model, ChatTokenizer tokenizer) {
        Generator generator = Generator.builder(model).decoder(ids -> tokenizer.decode(ids, true))
                .maxBatchRows(batchRows).build();
        Set<Integer> stops = new LinkedHashSet<>(model.config().eosTokenIds());
        stops.addAll(tokenizer.endOfTurnTokenIds());
        return (problems, pass, n, s) -> {
            SamplingParams.Builder pb = pass == Pass.GREEDY
                    ? SamplingParams.greedy(maxNewTokens).toBuilder()
                    : SamplingParams.builder(maxNewTokens).temperature(temperature).topP(topP).samplesPerPrompt(n)
                            .seed(s);
            if (!stops.isEmpty()) {
                pb.stopTokenIds(stops);
            }
            SamplingParams params = pb.build();
            List<GenerationRequest> requests = new ArrayList<>(problems.size());
            for (Problem p : problems) {
                String prompt = tokenizer.applyChatTemplate(template.messages(p), true);
                requests.add(GenerationRequest.of(tokenizer.encode(prompt), params));
            }
            List<List<Response>> all = new ArrayList<>(problems.size());
            for (GenerationResult result : generator.generate(requests)) {
                List<Response> responses = new ArrayList<>(n);
                for (Completion c : result.completions()) {
                    String text = c.text().orElseThrow(() -> new IllegalStateException("the generator returned no text"));
                    responses.add(new Response(text, OptionalInt.of(c.length())));
                }
                all.add(responses);
            }
            return all;
        };
    }

    /** Settings of an {@link Evaluator}; each may be set once. */
    public static final class Builder {
        private final CausalLm model;
        private final ChatTokenizer tokenizer;
        private final Responder responder;
        private final RuleVerifier verifier;
        private Integer samples;
        private Double temperature;
        private Double topP;
        private Integer maxNewTokens;
        private Long seed;
        private Integer batchRows;
        private PromptTemplate template;
        private Boolean greedyPass;
        private Progress.Mode progress;
        private final List<String> problems = new ArrayList<>();

        private Builder(CausalLm model, ChatTokenizer tokenizer, Responder responder, RuleVerifier verifier) {
            this.model = model;
            this.tokenizer = tokenizer;
            this.responder = responder;
            this.verifier = Objects.requireNonNull(verifier, "verifier");
        }

        private void once(Object current, String name) {
            if (current != null) {
                problems.add(name + " was set twice");
            }
        }

        /** Responses sampled per problem, the k of pass@k and maj@k (default 1), in [1, 1024]. */
        public Builder samples(int k) {
            once(this.samples, "samples");
            this.samples = k;
            return this;
        }

        /**
         * Sampling temperature of the sampled pass (default 0, greedy, for one sample; 0.6 for several, the
         * DeepSeek-R1 evaluation setting); must be &gt; 0 when samples &gt; 1.
         */
        public Builder temperature(double t) {
            once(this.temperature, "temperature");
            this.temperature = t;
            return this;
        }

        /** Nucleus mass of the sampled pass (default 0.95), in (0, 1]. */
        public Builder topP(double p) {
            once(this.topP, "topP");
            this.topP = p;
            return this;
        }

        /** Longest response in tokens (default 1024). */
        public Builder maxNewTokens(int tokens) {
            once(this.maxNewTokens, "maxNewTokens");
            this.maxNewTokens = tokens;
            return this;
        }

        /** Sampling seed (default 0). */
        public Builder seed(long seed) {
            once(this.seed, "seed");
            this.seed = seed;
            return this;
        }

        /** Sequences decoded at once (default 32); problems are generated in groups that fill this many rows. */
        public Builder batchRows(int rows) {
            once(this.batchRows, "batchRows");
            this.batchRows = rows;
            return this;
        }

        /** How a problem becomes a prompt (default {@link PromptTemplate#standard()}). */
        public Builder promptTemplate(PromptTemplate template) {
            once(this.template, "promptTemplate");
            this.template = Objects.requireNonNull(template, "template");
            return this;
        }

        /**
         * Adds a greedy pass, whose accuracy the report gives, to the sampled one (default: no extra pass; with one
         * sample at temperature 0 the only pass is already greedy).
         */
        public Builder greedyPass() {
            once(this.greedyPass, "greedyPass");
            this.greedyPass = true;
            return this;
        }

        /** Where progress goes (default: the {@code redstar.progress} system property's mode). */
        public Builder progress(Progress.Mode mode) {
            once(this.progress, "progress");
            this.progress = Objects.requireNonNull(mode, "mode");
            return this;
        }

        /** @throws IllegalArgumentException naming every invalid setting */
        public Evaluator build() {
            List<String> all = new ArrayList<>(problems);
            int k = samples == null ? 1 : samples;
            if (k < 1 || k > 1024) {
                all.add("samples must be in [1, 1024], was " + k);
            }
            if (temperature != null && (!Double.isFinite(temperature) || temperature < 0)) {
                all.add("temperature must be a finite number >= 0, was " + temperature);
            } else if (temperature != null && temperature == 0 && k > 1) {
                all.add("temperature 0 (greedy) with samples " + k + " gives identical samples; set a temperature > 0"
                        + " or samples 1 (use greedyPass() for greedy accuracy next to pass@k)");
            }
            if (topP != null && !(topP > 0 && topP <= 1)) {
                all.add("topP must be in (0, 1], was " + topP);
            }
            if (maxNewTokens != null && maxNewTokens < 1) {
                all.add("maxNewTokens must be >= 1, was " + maxNewTokens);
            }
            if (batchRows != null && batchRows < 1) {
                all.add("batchRows must be >= 1, was " + batchRows);
            }
            if (tokenizer != null && tokenizer.chatTemplate().isEmpty()) {
                all.add("the tokenizer in " + tokenizer.folder() + " has no usable chat template");
            }
            if (!all.isEmpty()) {
                throw new IllegalArgumentException("invalid Evaluator settings: " + String.join("; ", all));
            }
            return new Evaluator(this);
        }
    }
}
