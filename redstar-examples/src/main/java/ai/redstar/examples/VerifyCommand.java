package ai.redstar.examples;

import ai.redstar.verify.Gold;
import ai.redstar.verify.MajorityVerdict;
import ai.redstar.verify.Reason;
import ai.redstar.verify.RuleVerifier;
import ai.redstar.verify.Submission;
import ai.redstar.verify.Verdict;
import ai.redstar.verify.choice.ChoiceOptions;
import ai.redstar.verify.code.CodeTests;
import ai.redstar.verify.eval.PassAtK;
import ai.redstar.verify.math.BoxedPolicy;
import ai.redstar.verify.math.MathAnswers;
import ai.redstar.verify.math.PercentPolicy;
import ai.redstar.verify.math.ThinkingPolicy;
import ai.redstar.verify.math.UnitPolicy;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code redstar verify}: grades a JSONL file of responses against gold answers and prints the accuracy with a
 * breakdown by status and reason.
 *
 * <p>Each line is an object with a response (a string, or an array of strings for several samples of one
 * problem) and an answer. The gold kind follows from the fields present: a {@code tests} field makes a code
 * problem (TACO/APPS {@code input_output}, as a JSON string or object), a {@code choices} field a multiple-choice
 * problem (the options as one string {@code "A:30 B:45 ..."} or an array), otherwise math. With several samples
 * per problem, pass@k (unbiased estimator) and maj@n are printed too.
 */
@Command(name = "verify", mixinStandardHelpOptions = true,
        description = "Grade a JSONL file of responses against gold answers; print accuracy and a breakdown of reasons.")
public final class VerifyCommand implements Callable<Integer> {

    private static final int CHUNK = 1024;

    @Parameters(index = "0", paramLabel = "FILE", description = "JSONL input, one problem per line.")
    Path input;

    @Option(names = "--response-field", defaultValue = "response",
            description = "Field holding the response, or an array of sampled responses (default: ${DEFAULT-VALUE}).")
    String responseField;

    @Option(names = "--answer-field", defaultValue = "answer",
            description = "Field holding the gold answer or letters (default: ${DEFAULT-VALUE}).")
    String answerField;

    @Option(names = "--choices-field", defaultValue = "choices",
            description = "Field holding multiple-choice options, when present (default: ${DEFAULT-VALUE}).")
    String choicesField;

    @Option(names = "--tests-field", defaultValue = "tests",
            description = "Field holding code tests (TACO input_output), when present (default: ${DEFAULT-VALUE}).")
    String testsField;

    @Option(names = "--tolerance", description = "Relative tolerance for decimals (default: "
            + MathAnswers.DEFAULT_RELATIVE_TOLERANCE + ").")
    Double tolerance;

    @Option(names = "--percent", description = "How 28%% compares with 28 and 0.28: ${COMPLETION-CANDIDATES} "
            + "(default: NUMBER_OR_FRACTION).")
    PercentPolicy percent;

    @Option(names = "--units", description = "Whether units must agree: ${COMPLETION-CANDIDATES} (default: IGNORE).")
    UnitPolicy units;

    @Option(names = "--boxed", description = "Which box counts: ${COMPLETION-CANDIDATES} (default: LAST).")
    BoxedPolicy boxed;

    @Option(names = "--last-number", description = "Take the last number when a response has no box and no answer phrase.")
    boolean lastNumber;

    @Option(names = "--keep-thinking", description = "Search <think>...</think> too (default: only after </think>).")
    boolean keepThinking;

    @Option(names = "--budget-ms", defaultValue = "1000",
            description = "Time budget of one math grading in milliseconds (default: ${DEFAULT-VALUE}).")
    long budgetMs;

    @Option(names = "--threads", description = "Responses graded at once (default: the available processors).")
    Integer threads;

    @Option(names = "--k", split = ",", description = "k values for pass@k with several samples (default: 1 and n).")
    List<Integer> ks;

    @Option(names = "--verdicts", paramLabel = "OUT",
            description = "Write one JSON verdict per response to this JSONL file.")
    Path verdictsFile;

    PrintStream out = System.out;
    PrintStream err = System.err;

    /** One problem of the input: its line, samples and gold. */
    private record Problem(int line, List<String> responses, Gold gold) {
    }

    /** Exit status 2 with the message on standard error when the input or an option is invalid. */
    @Override
    public Integer call() throws IOException {
        try {
            return grade();
        } catch (IllegalArgumentException invalid) {
            err.println("redstar verify: " + invalid.getMessage());
            return 2;
        }
    }

    private int grade() throws IOException {
        RuleVerifier verifier = verifier();
        Map<Verdict.Status, Integer> statuses = new EnumMap<>(Verdict.Status.class);
        Map<Reason, Integer> reasons = new EnumMap<>(Reason.class);
        List<PassAtK.Tally> tallies = new ArrayList<>();
        int majorityCorrect = 0;
        int majorityProblems = 0;
        int graded = 0;
        int correct = 0;
        boolean multiSample = false;
        long start = System.nanoTime();
        BufferedWriter verdicts = verdictsFile == null ? null : Files.newBufferedWriter(verdictsFile, StandardCharsets.UTF_8);
        try (BufferedReader reader = Files.newBufferedReader(input, StandardCharsets.UTF_8)) {
            List<Problem> chunk = new ArrayList<>();
            String text;
            int line = 0;
            boolean more = true;
            while (more) {
                text = reader.readLine();
                more = text != null;
                if (more) {
                    line++;
                    if (!text.isBlank()) {
                        chunk.add(problem(line, text));
                    }
                }
                if (chunk.size() >= CHUNK || !more && !chunk.isEmpty()) {
                    List<Submission> submissions = new ArrayList<>();
                    for (Problem p : chunk) {
                        for (String response : p.responses()) {
                            submissions.add(new Submission(response, p.gold()));
                        }
                    }
                    List<Verdict> results = verifier.verifyAll(submissions);
                    int k = 0;
                    for (Problem p : chunk) {
                        int right = 0;
                        for (int sample = 0; sample < p.responses().size(); sample++) {
                            Verdict v = results.get(k++);
                            statuses.merge(v.status(), 1, Integer::sum);
                            reasons.merge(v.reason(), 1, Integer::sum);
                            graded++;
                            if (v.correct()) {
                                right++;
                                correct++;
                            }
                            if (verdicts != null) {
                                verdicts.write(json(p.line(), sample, v));
                                verdicts.newLine();
                            }
                        }
                        tallies.add(new PassAtK.Tally(p.responses().size(), right));
                        if (p.responses().size() > 1) {
                            multiSample = true;
                            if (!(p.gold() instanceof Gold.Code)) {
                                majorityProblems++;
                                if (verifier.majority(p.responses(), p.gold()).verdict().correct()) {
                                    majorityCorrect++;
                                }
                            }
                        }
                    }
                    chunk.clear();
                }
            }
        } finally {
            if (verdicts != null) {
                verdicts.close();
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        report(graded, correct, seconds, statuses, reasons, multiSample ? tallies : null, majorityCorrect,
                majorityProblems);
        return 0;
    }

    private RuleVerifier verifier() {
        MathAnswers.Builder math = MathAnswers.builder();
        if (tolerance != null) {
            math.relativeTolerance(tolerance);
        }
        if (percent != null) {
            math.percent(percent);
        }
        if (units != null) {
            math.units(units);
        }
        if (boxed != null) {
            math.boxed(boxed);
        }
        math.lastNumberFallback(lastNumber);
        math.thinking(keepThinking ? ThinkingPolicy.KEEP : ThinkingPolicy.STRIP);
        RuleVerifier.Builder builder = RuleVerifier.builder().math(math.build()).timeBudget(Duration.ofMillis(budgetMs));
        if (threads != null) {
            builder.parallelism(threads);
        }
        return builder.build();
    }

    private Problem problem(int line, String text) {
        JsonObject o;
        try {
            JsonElement e = JsonParser.parseString(text);
            if (!e.isJsonObject()) {
                throw new IllegalArgumentException(where(line) + "expected a JSON object, got " + abbreviate(text));
            }
            o = e.getAsJsonObject();
        } catch (JsonParseException e) {
            throw new IllegalArgumentException(where(line) + "malformed JSON (" + e.getMessage() + ")", e);
        }
        List<String> responses = new ArrayList<>();
        JsonElement r = o.get(responseField);
        if (r == null || r.isJsonNull()) {
            throw new IllegalArgumentException(where(line) + "field '" + responseField
                    + "' is missing (choose the field with --response-field)");
        }
        if (r.isJsonArray()) {
            for (JsonElement item : r.getAsJsonArray()) {
                responses.add(string(item, line, responseField));
            }
            if (responses.isEmpty()) {
                throw new IllegalArgumentException(where(line) + "field '" + responseField + "' is an empty array");
            }
        } else {
            responses.add(string(r, line, responseField));
        }
        JsonElement tests = o.get(testsField);
        if (tests != null && !tests.isJsonNull()) {
            String json = tests.isJsonPrimitive() ? tests.getAsString() : tests.toString();
            try {
                return new Problem(line, responses, Gold.code(CodeTests.fromInputOutputJson(json)));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(where(line) + "field '" + testsField + "': " + e.getMessage(), e);
            }
        }
        JsonElement answer = o.get(answerField);
        if (answer == null || answer.isJsonNull()) {
            throw new IllegalArgumentException(where(line) + "field '" + answerField
                    + "' is missing (choose the field with --answer-field)");
        }
        String gold = answer.isJsonPrimitive() ? answer.getAsString() : answer.toString();
        JsonElement choices = o.get(choicesField);
        if (choices != null && !choices.isJsonNull()) {
            try {
                ChoiceOptions options;
                if (choices.isJsonArray()) {
                    List<String> texts = new ArrayList<>();
                    for (JsonElement item : choices.getAsJsonArray()) {
                        texts.add(string(item, line, choicesField));
                    }
                    options = ChoiceOptions.of(texts);
                } else {
                    options = ChoiceOptions.parse(choices.getAsString());
                }
                return new Problem(line, responses, Gold.choice(gold, options));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(where(line) + "field '" + choicesField + "': " + e.getMessage(), e);
            }
        }
        return new Problem(line, responses, Gold.math(gold));
    }

    private String where(int line) {
        return input + ":" + line + ": ";
    }

    private String string(JsonElement e, int line, String field) {
        if (!e.isJsonPrimitive()) {
            throw new IllegalArgumentException(where(line) + "field '" + field + "' must hold text, got " + abbreviate(e.toString()));
        }
        return e.getAsString();
    }

    private static String abbreviate(String s) {
        return s.length() <= 80 ? s : s.substring(0, 77) + "...";
    }

    private static String json(int line, int sample, Verdict v) {
        JsonObject o = new JsonObject();
        o.addProperty("line", line);
        o.addProperty("sample", sample);
        o.addProperty("correct", v.correct());
        o.addProperty("status", v.status().name());
        o.addProperty("reason", v.reason().name());
        o.addProperty("answer", v.answer());
        o.addProperty("normalized_answer", v.normalizedAnswer());
        o.addProperty("normalized_gold", v.normalizedGold());
        o.addProperty("detail", v.detail());
        o.addProperty("elapsed_ms", Math.round(v.elapsed().toNanos() / 1e4) / 100.0);
        return o.toString();
    }

    private void report(int graded, int correct, double seconds, Map<Verdict.Status, Integer> statuses,
            Map<Reason, Integer> reasons, List<PassAtK.Tally> tallies, int majorityCorrect, int majorityProblems) {
        out.printf(Locale.ROOT, "graded %d responses from %s in %.2f s (%.0f/s)%n", graded, input, seconds,
                graded / Math.max(seconds, 1e-9));
        if (graded == 0) {
            out.println("accuracy: no responses");
            return;
        }
        out.printf(Locale.ROOT, "accuracy: %.2f%% (%d/%d)%n", 100.0 * correct / graded, correct, graded);
        out.printf(Locale.ROOT, "%n%-24s %8s %7s%n", "status", "count", "share");
        statuses.forEach((s, n) -> out.printf(Locale.ROOT, "%-24s %8d %6.1f%%%n", s, n, 100.0 * n / graded));
        out.printf(Locale.ROOT, "%n%-24s %8s %7s%n", "reason", "count", "share");
        reasons.entrySet().stream().sorted((a, b) -> b.getValue() - a.getValue())
                .forEach(e -> out.printf(Locale.ROOT, "%-24s %8d %6.1f%%%n", e.getKey(), e.getValue(),
                        100.0 * e.getValue() / graded));
        if (tallies != null) {
            int fewest = tallies.stream().mapToInt(PassAtK.Tally::samples).min().orElse(1);
            List<Integer> kValues = ks != null ? ks : fewest > 1 ? List.of(1, fewest) : List.of(1);
            out.printf(Locale.ROOT, "%nproblems: %d (at least %d samples each)%n", tallies.size(), fewest);
            for (int k : kValues) {
                if (k < 1 || k > fewest) {
                    out.printf(Locale.ROOT, "pass@%d: skipped (k must be in [1, %d])%n", k, fewest);
                } else {
                    out.printf(Locale.ROOT, "pass@%d: %.2f%%%n", k, 100 * PassAtK.mean(tallies, k));
                }
            }
            if (majorityProblems > 0) {
                out.printf(Locale.ROOT, "maj@n: %.2f%% (%d/%d problems with several samples; code excluded)%n",
                        100.0 * majorityCorrect / majorityProblems, majorityCorrect, majorityProblems);
            }
        }
    }
}
