package ai.redstar.verify.code;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Measures how fast a {@link CodeSandbox} grades: whole programs (one sandbox each) and test cases per second of
 * wall-clock time, for a benchmark command to print as one JSON line.
 *
 * <pre>{@code
 * SandboxBenchmark.Figures f = SandboxBenchmark.trivialStdio(sandbox, 50, 10, 2);
 * System.out.println(f.toJson());
 * }</pre>
 *
 * <p>Stateless and thread-safe.
 */
public final class SandboxBenchmark {

    private SandboxBenchmark() {}

    /**
     * The measured figures.
     *
     * @param isolation how the programs ran (a benchmark of {@link Isolation#NOT_RUN} measured nothing)
     * @param programs programs graded (each one sandbox start)
     * @param casesPerProgram test cases per program
     * @param threads programs graded at once
     * @param casesPassed cases that passed in total (a sanity check: all, for a correct program)
     * @param wall wall-clock time of the whole measurement
     * @param casesPerSecond test cases graded per second
     * @param programsPerSecond programs graded per second
     * @param meanProgramMillis mean wall-clock time of one program's grading
     */
    public record Figures(Isolation isolation, int programs, int casesPerProgram, int threads, int casesPassed,
            Duration wall, double casesPerSecond, double programsPerSecond, double meanProgramMillis) {

        /** One JSON line: {@code {"benchmark":"code_sandbox",...}}. */
        public String toJson() {
            return String.format(Locale.ROOT, "{\"benchmark\":\"code_sandbox\",\"isolation\":\"%s\",\"programs\":%d,"
                            + "\"cases_per_program\":%d,\"threads\":%d,\"cases_passed\":%d,\"wall_s\":%.3f,"
                            + "\"cases_per_s\":%.1f,\"programs_per_s\":%.2f,\"mean_program_ms\":%.1f}",
                    isolation, programs, casesPerProgram, threads, casesPassed, wall.toNanos() / 1e9, casesPerSecond,
                    programsPerSecond, meanProgramMillis);
        }
    }

    /**
     * Grades a trivial correct program ({@code print(int(input()) * 2)}) against {@code casesPerProgram} cases,
     * {@code programs} times, on {@code threads} threads: the sandbox's own overhead.
     */
    public static Figures trivialStdio(CodeSandbox sandbox, int programs, int casesPerProgram, int threads) {
        if (casesPerProgram < 1) {
            throw new IllegalArgumentException("casesPerProgram must be at least 1, got " + casesPerProgram);
        }
        List<CodeTests.StdioCase> cases = new ArrayList<>();
        for (int i = 0; i < casesPerProgram; i++) {
            cases.add(new CodeTests.StdioCase(i + "\n", (2 * i) + "\n"));
        }
        return measure(sandbox, "print(int(input()) * 2)\n", CodeTests.stdio(cases), programs, threads);
    }

    /** Grades {@code code} against {@code tests}, {@code programs} times, on {@code threads} threads. */
    public static Figures measure(CodeSandbox sandbox, String code, CodeTests tests, int programs, int threads) {
        Objects.requireNonNull(sandbox, "sandbox");
        Objects.requireNonNull(code, "code");
        Objects.requireNonNull(tests, "tests");
        if (programs < 1 || threads < 1) {
            throw new IllegalArgumentException("programs and threads must be at least 1, got " + programs + " and "
                    + threads);
        }
        ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "redstar-sandbox-benchmark");
            t.setDaemon(true);
            return t;
        });
        long start = System.nanoTime();
        List<CodeResult> results = new ArrayList<>();
        try {
            List<Future<CodeResult>> futures = new ArrayList<>();
            for (int i = 0; i < programs; i++) {
                futures.add(pool.submit(() -> sandbox.run(code, tests)));
            }
            for (Future<CodeResult> f : futures) {
                results.add(f.get());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while benchmarking the sandbox", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("a benchmark run failed: " + e.getCause(), e.getCause());
        } finally {
            pool.shutdownNow();
        }
        Duration wall = Duration.ofNanos(System.nanoTime() - start);
        double seconds = Math.max(1e-9, wall.toNanos() / 1e9);
        int passed = results.stream().mapToInt(CodeResult::passed).sum();
        double meanMillis = results.stream().mapToDouble(r -> r.elapsed().toNanos() / 1e6).average().orElse(0);
        return new Figures(results.get(0).isolation(), programs, tests.size(), threads, passed, wall,
                (double) programs * tests.size() / seconds, programs / seconds, meanMillis);
    }
}
