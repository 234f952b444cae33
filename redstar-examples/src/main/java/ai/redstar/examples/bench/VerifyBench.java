package ai.redstar.examples.bench;

import ai.redstar.verify.Gold;
import ai.redstar.verify.RuleVerifier;
import ai.redstar.verify.Verdict;
import ai.redstar.verify.code.CodeSandbox;
import ai.redstar.verify.code.SandboxBenchmark;
import com.google.gson.JsonObject;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code redstar bench verify}: how fast the rule-based verifier grades.
 *
 * <p>Math: one thread grades full responses (a {@code <think>} block of about 2.5 KB of reasoning, then a short
 * answer with {@code \boxed{}}) built from the mixed corpus in {@code verify-corpus.tsv} (every category of the
 * math grader, equal and unequal pairs), after a warm-up. Figures: verdicts per second of wall-clock time and
 * of the thread's CPU time (the figure that holds on a busy machine), median, p99 and maximum
 * latency against the time budget, and how many verdicts disagreed with the corpus (should be 0). Hostile inputs
 * ({@code 10^{10^{10}}}, thousands of nested brackets, a megabyte response, a 1,000-item list) are timed apart:
 * the maximum latency against the budget, and how many were misjudged (a hostile pair called equal). Code: test cases per second of the bubblewrap sandbox on a trivial
 * program (vcode's {@link SandboxBenchmark}).
 *
 * <p>Each figure is one JSON line: {@code {"bench":"verify","figure":...,"value":...}}.
 */
@Command(name = "verify", mixinStandardHelpOptions = true,
        description = "Verifier throughput: math verdicts/s on one thread with latencies, code test cases/s (one JSON line per figure).")
public final class VerifyBench implements Callable<Integer> {

    private static final Duration BUDGET = RuleVerifier.DEFAULT_TIME_BUDGET;

    @Option(names = "--seconds", defaultValue = "5", description = "Measured seconds of math grading (default ${DEFAULT-VALUE}).")
    double seconds;

    @Option(names = "--warmup-seconds", defaultValue = "2", description = "Warm-up seconds before measuring (default ${DEFAULT-VALUE}).")
    double warmupSeconds;

    @Option(names = "--code-programs", defaultValue = "20", description = "Programs graded for the code figure; 0 skips it (default ${DEFAULT-VALUE}).")
    int codePrograms;

    @Option(names = "--code-cases", defaultValue = "10", description = "Test cases per program (default ${DEFAULT-VALUE}).")
    int codeCases;

    @Option(names = "--code-threads", description = "Programs graded at once (default: the available processors).")
    Integer codeThreads;

    @Override
    public Integer call() {
        run(seconds, warmupSeconds, codePrograms, codeCases,
                codeThreads == null ? Runtime.getRuntime().availableProcessors() : codeThreads, System.out::println);
        return 0;
    }

    /** One corpus row turned into a full response and its gold. */
    record Case(String response, String gold, boolean expectCorrect) {
    }

    /** Runs every figure and hands each JSON line to {@code out}. */
    public static void run(double seconds, double warmupSeconds, int codePrograms, int codeCases, int codeThreads,
            Consumer<String> out) {
        List<Case> corpus = corpus();
        RuleVerifier verifier = RuleVerifier.builder().parallelism(1).timeBudget(BUDGET).build();
        long warmupEnd = System.nanoTime() + (long) (warmupSeconds * 1e9);
        for (int i = 0; System.nanoTime() < warmupEnd; i++) {
            Case c = corpus.get(i % corpus.size());
            verifier.verify(c.response(), c.gold());
        }
        long[] latencies = new long[1 << 16];
        int calls = 0;
        int disagreements = 0;
        java.lang.management.ThreadMXBean cpu = java.lang.management.ManagementFactory.getThreadMXBean();
        long cpuStart = cpu.getCurrentThreadCpuTime();
        long start = System.nanoTime();
        long end = start + (long) (seconds * 1e9);
        while (System.nanoTime() < end || calls < corpus.size()) {
            Case c = corpus.get(calls % corpus.size());
            long t0 = System.nanoTime();
            Verdict v = verifier.verify(c.response(), c.gold());
            long t1 = System.nanoTime();
            if (calls == latencies.length) {
                latencies = Arrays.copyOf(latencies, calls * 2);
            }
            latencies[calls++] = t1 - t0;
            if (v.correct() != c.expectCorrect()) {
                disagreements++;
            }
        }
        double wall = (System.nanoTime() - start) / 1e9;
        double cpuSeconds = (cpu.getCurrentThreadCpuTime() - cpuStart) / 1e9;
        long[] sorted = Arrays.copyOf(latencies, calls);
        Arrays.sort(sorted);
        int overBudget = 0;
        for (long l : sorted) {
            if (l > BUDGET.toNanos()) {
                overBudget++;
            }
        }
        JsonObject rate = figure("math_verdicts_per_s", round(calls / wall));
        rate.addProperty("threads", 1);
        rate.addProperty("calls", calls);
        rate.addProperty("corpus_cases", corpus.size());
        rate.addProperty("mean_response_chars", corpus.stream().mapToInt(c -> c.response().length()).sum() / corpus.size());
        rate.addProperty("disagreements_with_corpus", disagreements / Math.max(1, calls / corpus.size()));
        out.accept(rate.toString());
        JsonObject perCpu = figure("math_verdicts_per_cpu_s", round(calls / Math.max(cpuSeconds, 1e-9)));
        perCpu.addProperty("threads", 1);
        perCpu.addProperty("note", "verdicts per second of the grading thread's CPU time: unaffected by other load");
        out.accept(perCpu.toString());
        out.accept(figure("math_latency_median_ms", millis(sorted[calls / 2])).toString());
        out.accept(figure("math_latency_p99_ms", millis(sorted[(int) Math.min(calls - 1, Math.ceil(calls * 0.99) - 1)])).toString());
        JsonObject max = figure("math_latency_max_ms", millis(sorted[calls - 1]));
        max.addProperty("budget_ms", BUDGET.toMillis());
        max.addProperty("over_budget", overBudget);
        out.accept(max.toString());
        out.accept(hostile(verifier).toString());
        if (codePrograms > 0) {
            CodeSandbox sandbox = CodeSandbox.builder().build();
            SandboxBenchmark.Figures f = SandboxBenchmark.trivialStdio(sandbox, codePrograms, codeCases, codeThreads);
            JsonObject code = figure("code_cases_per_s", round(f.casesPerSecond()));
            code.addProperty("isolation", f.isolation().name());
            code.addProperty("programs", f.programs());
            code.addProperty("cases_per_program", f.casesPerProgram());
            code.addProperty("threads", f.threads());
            code.addProperty("cases_passed", f.casesPassed());
            code.addProperty("mean_program_ms", round(f.meanProgramMillis()));
            out.accept(code.toString());
        }
    }

    /** The slowest of the hostile inputs, each graded once after the warm-up; only the megabyte response is right. */
    private static JsonObject hostile(RuleVerifier verifier) {
        List<String[]> inputs = List.of(
                new String[] {"\\boxed{10^{10^{10}}}", "10^{10^{10}}+1"},
                new String[] {"\\boxed{9^{9^{9}}}", "9^{9^{9}}-1"},
                new String[] {"\\boxed{" + "(".repeat(1900) + "1" + ")".repeat(1900) + "}", "1"},
                new String[] {"\\boxed{" + "\\frac{1}{".repeat(300) + "2" + "}".repeat(300) + "}", "1"},
                new String[] {"\\boxed{" + "\\boxed{".repeat(100_000), "1"},
                new String[] {"\\boxed{" + "1, ".repeat(999) + "1}", "1, ".repeat(999) + "2"},
                new String[] {"\\boxed{" + "x^{1000000} + ".repeat(100) + "1}", "x + 1"},
                new String[] {"\\boxed{" + "3" + "!".repeat(1000) + "}", "6"},
                new String[] {"reasoning 1 + 2 = 3. ".repeat(50_000) + "\\boxed{42}", "42"});
        long worst = 0;
        int overBudget = 0;
        int misjudged = 0;
        for (int i = 0; i < inputs.size(); i++) {
            String[] input = inputs.get(i);
            long t0 = System.nanoTime();
            Verdict v = verifier.verify(input[0], Gold.math(input[1]));
            long t = System.nanoTime() - t0;
            worst = Math.max(worst, t);
            if (t > BUDGET.toNanos()) {
                overBudget++;
            }
            if (v.correct() != (i == inputs.size() - 1)) {
                misjudged++;
            }
        }
        JsonObject o = figure("math_hostile_max_ms", millis(worst));
        o.addProperty("inputs", inputs.size());
        o.addProperty("budget_ms", BUDGET.toMillis());
        o.addProperty("over_budget", overBudget);
        o.addProperty("misjudged", misjudged);
        return o;
    }

    private static JsonObject figure(String name, double value) {
        JsonObject o = new JsonObject();
        o.addProperty("bench", "verify");
        o.addProperty("figure", name);
        o.addProperty("value", value);
        return o;
    }

    private static double millis(long nanos) {
        return Math.round(nanos / 1e3) / 1e3;
    }

    private static double round(double x) {
        return Math.round(x * 10) / 10.0;
    }

    /** The corpus rows as full responses: a thinking block, a short solution, the boxed answer. */
    static List<Case> corpus() {
        List<Case> cases = new ArrayList<>();
        try (InputStream in = VerifyBench.class.getResourceAsStream("verify-corpus.tsv")) {
            if (in == null) {
                throw new IllegalStateException("verify-corpus.tsv is missing from the redstar-examples jar");
            }
            BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            String line;
            while ((line = reader.readLine()) != null) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                String[] f = line.split("\t", -1);
                cases.add(new Case(response(cases.size(), f[1]), f[2], f[0].equals("=")));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read verify-corpus.tsv", e);
        }
        return cases;
    }

    private static String response(int index, String answer) {
        StringBuilder s = new StringBuilder("<think>\n");
        String[] steps = {
            "Let me set up the problem. Let $x$ be the unknown, so that $2x + 3 = %d$ and hence $x = \\frac{%d - 3}{2}$.",
            "Check: substituting back gives $2 \\cdot \\frac{%d-3}{2} + 3 = %d$, which is consistent.",
            "Alternatively, consider the sum $\\sum_{k=1}^{%d} k = \\frac{%d(%d+1)}{2}$; that is not needed here.",
            "Wait, let me double-check the constraint $x > 0$: since %d > 3 this holds, so no case is lost.",
            "Hmm, maybe there is a simpler way. Squaring both sides, $(x+1)^2 = x^2 + 2x + 1$, so %d terms cancel."};
        int i = 0;
        while (s.length() < 2500) {
            int n = 7 + (index * 31 + i * 17) % 90;
            s.append(String.format(Locale.ROOT, steps[i % steps.length], n, n, n, n, n)).append('\n');
            i++;
        }
        s.append("</think>\n\nWe solve the equation step by step and simplify the result.\n\n");
        s.append("The final answer is $\\boxed{").append(answer).append("}$.");
        return s.toString();
    }
}
