package ai.redstar.verify.code;

import com.google.common.collect.ImmutableList;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs untrusted Python programs against tests inside a bubblewrap sandbox with resource limits, and grades them.
 *
 * <pre>{@code
 * CodeSandbox sandbox = CodeSandbox.builder().timeLimit(Duration.ofSeconds(2)).build();
 * CodeTests tests = CodeTests.fromInputOutputJson("{\"inputs\": [\"1 2\\n\"], \"outputs\": [\"3\\n\"]}");
 * CodeResult r = sandbox.grade(modelResponse, tests);   // extracts the last ```python block, runs it
 * r.correct(); r.passed(); r.total(); r.firstFailure(); r.isolation();
 * }</pre>
 *
 * <p>All cases of one program run in one sandbox: a harness forks one process per case, applies the limits to
 * it, and reports each case as it finishes, so a crash or timeout costs only its own case (when a case kills the
 * harness itself, the remaining cases run again in a fresh sandbox). What the sandbox guarantees, and what it
 * does not, is listed in the package documentation.
 *
 * <p>When bubblewrap cannot run here ({@link #availability()} says why, checked once per configuration and
 * cached), programs are <em>not</em> run and results carry {@link CodeResult.Reason#SANDBOX_UNAVAILABLE}, unless
 * the sandbox was built with {@link Builder#allowUnsandboxed(boolean) allowUnsandboxed(true)}: then they run as
 * plain child processes with the same limits and no isolation, marked {@link Isolation#UNSANDBOXED}.
 *
 * <p>Immutable and thread-safe: any number of threads may grade at once, each run using its own processes and
 * folders.
 */
public final class CodeSandbox {

    private static final Logger LOG = LoggerFactory.getLogger(CodeSandbox.class);
    /** Allowance per case for forking, reporting and killing leftovers, on top of its time limit. */
    private static final Duration PER_CASE_ALLOWANCE = Duration.ofSeconds(1);
    private static final int OPEN_FILES = 256;
    private static final AtomicBoolean WARNED_UNSANDBOXED = new AtomicBoolean();

    private final Path bubblewrap;
    private final Path python;
    private final ImmutableList<Path> readOnlyPaths;
    private final Duration timeLimit;
    private final long memoryLimit;
    private final int maxProcesses;
    private final long outputLimit;
    private final double floatTolerance;
    private final OutputMatch outputMatch;
    private final boolean allowUnsandboxed;
    private final boolean ignoreThinking;
    private final Path workDirectory;
    private final int sandboxUid;
    private final Duration startupAllowance;
    private final SandboxCommand command;

    private CodeSandbox(Builder b) {
        this.bubblewrap = b.bubblewrap;
        this.python = b.python;
        this.readOnlyPaths = ImmutableList.copyOf(b.readOnlyPaths);
        this.timeLimit = b.timeLimit;
        this.memoryLimit = b.memoryLimit;
        this.maxProcesses = b.maxProcesses;
        this.outputLimit = b.outputLimit;
        this.floatTolerance = b.floatTolerance;
        this.outputMatch = b.outputMatch;
        this.allowUnsandboxed = b.allowUnsandboxed;
        this.ignoreThinking = b.ignoreThinking;
        this.workDirectory = b.workDirectory;
        this.sandboxUid = b.sandboxUid;
        this.startupAllowance = b.startupAllowance;
        this.command = new SandboxCommand(bubblewrap, python, readOnlyPaths, workDirectory, sandboxUid);
    }

    /** A builder with the defaults listed on each of its methods. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder that starts from this sandbox's settings; each may be set once more. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.bubblewrap = bubblewrap;
        b.python = python;
        b.readOnlyPaths = readOnlyPaths;
        b.timeLimit = timeLimit;
        b.memoryLimit = memoryLimit;
        b.maxProcesses = maxProcesses;
        b.outputLimit = outputLimit;
        b.floatTolerance = floatTolerance;
        b.outputMatch = outputMatch;
        b.allowUnsandboxed = allowUnsandboxed;
        b.ignoreThinking = ignoreThinking;
        b.workDirectory = workDirectory;
        b.sandboxUid = sandboxUid;
        b.startupAllowance = startupAllowance;
        return b;
    }

    /**
     * Whether bubblewrap can run programs here. The first call runs a trivial program in the sandbox (tens of
     * milliseconds); the answer is cached for the JVM's lifetime per bubblewrap, Python, mounts, work directory and
     * uid.
     */
    public SandboxAvailability availability() {
        SandboxCommand.Probe p = command.probe();
        return new SandboxAvailability(p.available(), p.detail());
    }

    /**
     * The program in a model response: the last closed {@code ```python} (or {@code ```py}) block, else the last
     * closed unlabelled {@code ```} block; with {@link Builder#ignoreThinking(boolean) ignoreThinking} only text
     * after the last {@code </think>} is read. Blocks labelled with other languages are never taken.
     */
    public Optional<String> extractCode(String response) {
        Objects.requireNonNull(response, "response");
        return CodeBlocks.lastPythonBlock(response, ignoreThinking);
    }

    /** Extracts the program from a response ({@link #extractCode(String)}) and runs it against the tests. */
    public CodeResult grade(String response, CodeTests tests) {
        Objects.requireNonNull(tests, "tests");
        long start = System.nanoTime();
        Optional<String> code = extractCode(response);
        if (code.isEmpty()) {
            return new CodeResult(false, Optional.empty(), CodeResult.Reason.NO_CODE,
                    "the response has no closed ```python (or ```) code block"
                            + (ignoreThinking ? " after its thinking" : ""),
                    0, tests.size(), List.of(), Isolation.NOT_RUN, since(start));
        }
        return run(code.get(), tests, start);
    }

    /**
     * Runs a program against the tests.
     *
     * @param code Python 3 source: a script reading standard input for {@link CodeTests.Stdio}, a module defining
     *     the function (or class {@code Solution}) for {@link CodeTests.Call}
     * @throws UncheckedIOException when the run's temporary folders cannot be created
     */
    public CodeResult run(String code, CodeTests tests) {
        return run(code, tests, System.nanoTime());
    }

    private CodeResult run(String code, CodeTests tests, long start) {
        Objects.requireNonNull(code, "code");
        Objects.requireNonNull(tests, "tests");
        SandboxCommand.Probe probe = command.probe();
        Isolation isolation;
        if (probe.available()) {
            isolation = Isolation.BUBBLEWRAP;
        } else if (allowUnsandboxed) {
            isolation = Isolation.UNSANDBOXED;
            if (WARNED_UNSANDBOXED.compareAndSet(false, true)) {
                LOG.warn("running untrusted code WITHOUT a sandbox (allowUnsandboxed is true): {}", probe.detail());
            }
        } else {
            return new CodeResult(false, Optional.of(code), CodeResult.Reason.SANDBOX_UNAVAILABLE,
                    "not run: " + probe.detail() + "; build the sandbox with allowUnsandboxed(true) to run code"
                            + " without isolation",
                    0, tests.size(), List.of(), Isolation.NOT_RUN, since(start));
        }

        int n = tests.size();
        CaseResult[] results = new CaseResult[n];
        CaseJudge judge = new CaseJudge(tests, cpuSeconds(), outputLimit, floatTolerance, outputMatch);
        Path root;
        try {
            root = SandboxFiles.createRunFolders(workDirectory,
                    isolation == Isolation.BUBBLEWRAP ? command.dropToUid() : -1);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the sandbox's folders under " + workDirectory + ": "
                    + e.getMessage() + "; set workDirectory(...) to a writable folder", e);
        }
        try {
            int next = 0;
            while (next < n) {
                next = launch(root, code, tests, next, results, judge, isolation);
            }
        } finally {
            SandboxFiles.deleteOrWarn(root);
        }

        List<CaseResult> cases = Arrays.asList(results);
        int passed = (int) cases.stream().filter(CaseResult::passed).count();
        Optional<CaseResult> failure = cases.stream().filter(c -> !c.passed()).findFirst();
        boolean sandboxFailed = cases.stream().anyMatch(c -> c.status() == CaseStatus.SANDBOX_ERROR);
        CodeResult.Reason reason = failure.isEmpty() ? CodeResult.Reason.ALL_PASSED
                : sandboxFailed ? CodeResult.Reason.SANDBOX_FAILED : CodeResult.Reason.TESTS_FAILED;
        String detail = failure.map(f -> "case " + (f.index() + 1) + " of " + n + ": " + f.status()
                        + (f.detail().isEmpty() ? "" : ": " + f.detail()))
                .orElse("all " + n + " cases passed");
        return new CodeResult(failure.isEmpty(), Optional.of(code), reason, detail, passed, n, cases, isolation,
                since(start));
    }

    /** Runs cases from {@code first} in one sandbox; returns the index to continue from. */
    private int launch(Path root, String code, CodeTests tests, int first, CaseResult[] results, CaseJudge judge,
            Isolation isolation) {
        int n = tests.size();
        Path control = root.resolve("control");
        Path work = root.resolve("work");
        List<String> cmd;
        Path directory;
        Map<String, String> environment;
        try {
            SandboxFiles.writeJob(root, job(code, tests, first, isolation == Isolation.BUBBLEWRAP));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the sandbox job under " + root, e);
        }
        if (isolation == Isolation.BUBBLEWRAP) {
            cmd = command.sandboxed(control, work, command.harnessArgv(SandboxCommand.INNER_CONTROL));
            directory = null;
            environment = Map.of();
        } else {
            cmd = command.harnessArgv(control.toString());
            directory = work;
            environment = Map.of("PATH", "/usr/local/bin:/usr/bin:/bin", "HOME", work.toString(), "LANG", "C.UTF-8",
                    "TMPDIR", work.toString(), "OMP_NUM_THREADS", "1", "OPENBLAS_NUM_THREADS", "1",
                    "MKL_NUM_THREADS", "1");
        }
        Events events = new Events(first, n, results, judge);
        long maxLine = outputLimit * 12 + 64 * 1024;
        long maxTotal = maxLine * (n - first) + (1 << 20);
        Duration deadline = startupAllowance.plus(timeLimit.plus(PER_CASE_ALLOWANCE).multipliedBy(n - first));
        ProcessRun run;
        try {
            run = ProcessRun.start(cmd, directory, environment, maxLine, maxTotal, events::accept);
        } catch (IOException e) {
            fill(results, first, CaseStatus.SANDBOX_ERROR, "cannot start the sandbox: " + e.getMessage());
            return n;
        }
        boolean finished = run.awaitOrKill(deadline);
        synchronized (events) {
            int next = events.nextUnreported();
            if (next >= n) {
                return n;
            }
            String stderr = run.stderr().strip();
            String stderrTail = stderr.length() <= 200 ? stderr : "..." + stderr.substring(stderr.length() - 197);
            if (events.protocolError != null || run.stdoutOverflowed()) {
                fill(results, next, CaseStatus.SANDBOX_ERROR, "the harness' report could not be read: "
                        + (events.protocolError != null ? events.protocolError : "a line exceeded the limit"));
                return n;
            }
            if (events.started == next) {
                // the case was running when the sandbox ended: it killed the harness, or it outlived the deadline
                results[next] = finished
                        ? new CaseResult(next, CaseStatus.RUNTIME_ERROR, Duration.ZERO, "the sandbox ended during"
                                + " this case (exit code " + run.exitCode() + ")"
                                + (stderrTail.isEmpty() ? "" : ": " + stderrTail))
                        : new CaseResult(next, CaseStatus.TIMEOUT, Duration.ZERO, "the sandbox was killed at its"
                                + " wall-clock deadline of " + deadline.toMillis() + " ms during this case");
                LOG.debug("case {} ended its sandbox; re-running cases {}..{} in a fresh one", next, next + 1, n - 1);
                return next + 1;
            }
            if (next > first) {
                return next; // progress was made; continue in a fresh sandbox
            }
            fill(results, next, CaseStatus.SANDBOX_ERROR, finished
                    ? "the sandbox exited with code " + run.exitCode() + " before running a case"
                            + (stderrTail.isEmpty() ? "" : ": " + stderrTail)
                    : "the sandbox did not start a case within " + deadline.toMillis() + " ms");
            return n;
        }
    }

    private static void fill(CaseResult[] results, int from, CaseStatus status, String detail) {
        for (int i = from; i < results.length; i++) {
            if (results[i] == null) {
                results[i] = new CaseResult(i, status, Duration.ZERO, detail);
            }
        }
    }

    private String job(String code, CodeTests tests, int first, boolean sweep) {
        JsonObject job = new JsonObject();
        JsonArray cases = new JsonArray();
        if (tests instanceof CodeTests.Call call) {
            job.addProperty("mode", "call");
            job.addProperty("fn", call.functionName());
            for (CodeTests.CallCase c : call.cases().subList(first, call.size())) {
                JsonObject o = new JsonObject();
                o.add("args", c.arguments());
                cases.add(o);
            }
        } else {
            job.addProperty("mode", "stdio");
            job.addProperty("fn", "");
            for (CodeTests.StdioCase c : ((CodeTests.Stdio) tests).cases().subList(first, tests.size())) {
                JsonObject o = new JsonObject();
                o.addProperty("stdin", c.input());
                cases.add(o);
            }
        }
        job.addProperty("code", code);
        job.addProperty("first", first);
        job.add("cases", cases);
        job.addProperty("time", timeLimit.toNanos() / 1e9);
        job.addProperty("cpu", cpuSeconds());
        job.addProperty("mem", memoryLimit);
        job.addProperty("nproc", maxProcesses);
        job.addProperty("fsize", outputLimit);
        job.addProperty("nofile", OPEN_FILES);
        job.addProperty("sweep", sweep);
        return job.toString();
    }

    /** RLIMIT_CPU has whole seconds: the per-case time limit rounded up. */
    private int cpuSeconds() {
        return (int) Math.max(1, (timeLimit.toMillis() + 999) / 1000);
    }

    private static Duration since(long startNanos) {
        return Duration.ofNanos(System.nanoTime() - startNanos);
    }

    /** The per-case wall-clock limit. */
    public Duration timeLimit() {
        return timeLimit;
    }

    /** The per-process address-space limit in bytes. */
    public long memoryLimit() {
        return memoryLimit;
    }

    /** The limit on processes (threads included) of the sandbox's user. */
    public int maxProcesses() {
        return maxProcesses;
    }

    /** The per-stream output limit in bytes. */
    public long outputLimit() {
        return outputLimit;
    }

    /** The tolerance for numbers written as decimals: {@code |a - e| <= tolerance * max(1, |e|)}. */
    public double floatTolerance() {
        return floatTolerance;
    }

    /** How standard output is compared. */
    public OutputMatch outputMatch() {
        return outputMatch;
    }

    /** Whether programs may run without isolation when bubblewrap is unavailable. */
    public boolean allowUnsandboxed() {
        return allowUnsandboxed;
    }

    /** The harness's report lines, handled on the reading thread; guarded by its own monitor. */
    private static final class Events {
        private final int first;
        private final int n;
        private final CaseResult[] results;
        private final CaseJudge judge;
        private int started = -1;
        private int lastDone = -1;
        private String protocolError;

        Events(int first, int n, CaseResult[] results, CaseJudge judge) {
            this.first = first;
            this.n = n;
            this.results = results;
            this.judge = judge;
        }

        synchronized void accept(String line) {
            if (protocolError != null || line.isBlank()) {
                return;
            }
            JsonObject o;
            try {
                JsonElement e = JsonParser.parseString(line);
                if (!e.isJsonObject()) {
                    protocolError = "not a JSON object: " + abbreviate(line);
                    return;
                }
                o = e.getAsJsonObject();
            } catch (JsonParseException e) {
                protocolError = "not JSON (" + e.getMessage() + "): " + abbreviate(line);
                return;
            }
            String event = o.has("event") ? o.get("event").getAsString() : "";
            if (event.equals("end")) {
                return;
            }
            int index = o.has("case") ? o.get("case").getAsInt() : -1;
            int expected = Math.max(first, lastDone + 1);
            if (index != expected) {
                protocolError = "event '" + event + "' for case " + index + " where case " + expected
                        + " was expected";
                return;
            }
            switch (event) {
                case "start" -> started = index;
                case "done" -> {
                    try {
                        results[index] = judge.judge(index, o);
                    } catch (RuntimeException e) {
                        protocolError = "cannot judge case " + index + " from " + abbreviate(line) + ": " + e;
                        return;
                    }
                    lastDone = index;
                }
                default -> protocolError = "unknown event: " + abbreviate(line);
            }
        }

        synchronized int nextUnreported() {
            return Math.max(first, lastDone + 1);
        }

        private static String abbreviate(String s) {
            return s.length() <= 200 ? s : s.substring(0, 197) + "...";
        }
    }

    /**
     * Builds a {@link CodeSandbox}. Each property may be set once; {@link #build()} reports every invalid one.
     */
    public static final class Builder {
        private Path bubblewrap = Objects.requireNonNullElse(
                SandboxCommand.findOnPath("bwrap", Path.of("/usr/bin/bwrap")), Path.of("/usr/bin/bwrap"));
        private Path python = Path.of("/usr/bin/python3");
        private List<Path> readOnlyPaths = List.of();
        private Duration timeLimit = Duration.ofSeconds(4);
        private long memoryLimit = 1L << 30;
        private int maxProcesses = 32;
        private long outputLimit = 1L << 20;
        private double floatTolerance = 1e-6;
        private OutputMatch outputMatch = OutputMatch.LINES;
        private boolean allowUnsandboxed;
        private boolean ignoreThinking = true;
        private Path workDirectory = Path.of(System.getProperty("java.io.tmpdir"));
        private int sandboxUid = 65534;
        private Duration startupAllowance = Duration.ofSeconds(10);
        private final Set<String> set = new HashSet<>();

        private Builder() {}

        private void once(String name) {
            if (!set.add(name)) {
                throw new IllegalStateException("CodeSandbox." + name + " was already set");
            }
        }

        /** The bubblewrap executable (default: {@code bwrap} on PATH, else {@code /usr/bin/bwrap}). */
        public Builder bubblewrap(Path executable) {
            once("bubblewrap");
            this.bubblewrap = Objects.requireNonNull(executable, "executable");
            return this;
        }

        /**
         * The Python 3 interpreter, an absolute path that the sandbox can see (default {@code /usr/bin/python3}).
         * One outside {@code /usr} (a pyenv or conda install) also needs its installation folder in
         * {@link #readOnlyPaths(List)}.
         */
        public Builder python(Path interpreter) {
            once("python");
            this.python = Objects.requireNonNull(interpreter, "interpreter");
            return this;
        }

        /**
         * Extra host folders mounted read-only at the same path inside the sandbox (default none). The sandbox
         * always mounts {@code /usr}, the {@code /bin} and {@code /lib*} links, and a few loader files of
         * {@code /etc}; everything mounted here becomes readable by the untrusted program.
         */
        public Builder readOnlyPaths(List<Path> paths) {
            once("readOnlyPaths");
            this.readOnlyPaths = List.copyOf(paths);
            return this;
        }

        /**
         * The wall-clock limit of each case (default 4 s, as APPS uses); the CPU-time limit of each process is the
         * same rounded up to whole seconds.
         */
        public Builder timeLimit(Duration limit) {
            once("timeLimit");
            this.timeLimit = Objects.requireNonNull(limit, "limit");
            return this;
        }

        /** The address-space limit of each process in bytes (RLIMIT_AS; default 1 GiB). */
        public Builder memoryLimit(long bytes) {
            once("memoryLimit");
            this.memoryLimit = bytes;
            return this;
        }

        /**
         * The most processes and threads of the sandbox's user (RLIMIT_NPROC; default 32). Inside bubblewrap the
         * sandbox's own init and harness count too.
         */
        public Builder maxProcesses(int count) {
            once("maxProcesses");
            this.maxProcesses = count;
            return this;
        }

        /**
         * The size limit in bytes of a case's standard output, of its standard error, and of a returned value
         * (RLIMIT_FSIZE on the capture files; default 1 MiB); reaching it is {@link CaseStatus#OUTPUT_LIMIT}.
         */
        public Builder outputLimit(long bytes) {
            once("outputLimit");
            this.outputLimit = bytes;
            return this;
        }

        /**
         * The tolerance for numbers written as decimals, absolute or relative:
         * {@code |actual - expected| <= tolerance * max(1, |expected|)} (default 1e-6, the usual "absolute or
         * relative error 1e-6" of judges). Integers always compare exactly.
         */
        public Builder floatTolerance(double tolerance) {
            once("floatTolerance");
            this.floatTolerance = tolerance;
            return this;
        }

        /** How standard output is compared (default {@link OutputMatch#LINES}). */
        public Builder outputMatch(OutputMatch match) {
            once("outputMatch");
            this.outputMatch = Objects.requireNonNull(match, "match");
            return this;
        }

        /**
         * Whether programs may run as plain child processes, with the limits but without isolation, when
         * bubblewrap is unavailable (default false: they are not run). Only for trusted code or throw-away machines.
         */
        public Builder allowUnsandboxed(boolean allow) {
            once("allowUnsandboxed");
            this.allowUnsandboxed = allow;
            return this;
        }

        /** Whether code inside {@code <think>...</think>} is skipped when extracting a program (default true). */
        public Builder ignoreThinking(boolean ignore) {
            once("ignoreThinking");
            this.ignoreThinking = ignore;
            return this;
        }

        /** The host folder under which each run's temporary folders are made (default {@code java.io.tmpdir}). */
        public Builder workDirectory(Path folder) {
            once("workDirectory");
            this.workDirectory = Objects.requireNonNull(folder, "folder");
            return this;
        }

        /**
         * The unprivileged uid (and gid) the sandbox runs as when the JVM runs as root (default 65534, "nobody"):
         * the kernel does not apply the process limit to root, even in a user namespace.
         */
        public Builder sandboxUid(int uid) {
            once("sandboxUid");
            this.sandboxUid = uid;
            return this;
        }

        /**
         * The wall-clock allowance for starting a sandbox (default 10 s). Java kills a whole sandbox, whatever it
         * is doing, at {@code startupAllowance + cases * (timeLimit + 1 s)}: a backstop for a harness that a
         * program stopped or that hangs, since the harness itself enforces each case's limit.
         */
        public Builder startupAllowance(Duration allowance) {
            once("startupAllowance");
            this.startupAllowance = Objects.requireNonNull(allowance, "allowance");
            return this;
        }

        /**
         * The sandbox.
         *
         * @throws IllegalArgumentException listing every invalid setting
         */
        public CodeSandbox build() {
            List<String> problems = new ArrayList<>();
            if (!python.isAbsolute()) {
                problems.add("python must be an absolute path, got " + python);
            }
            if (!bubblewrap.isAbsolute()) {
                problems.add("bubblewrap must be an absolute path, got " + bubblewrap);
            }
            for (Path p : readOnlyPaths) {
                if (!p.isAbsolute()) {
                    problems.add("readOnlyPaths entries must be absolute, got " + p);
                } else if (!Files.exists(p)) {
                    problems.add("readOnlyPaths entry " + p + " does not exist");
                }
            }
            if (timeLimit.isNegative() || timeLimit.isZero() || timeLimit.compareTo(Duration.ofMinutes(10)) > 0) {
                problems.add("timeLimit must be in (0, 10 min], got " + timeLimit);
            }
            if (memoryLimit < (64L << 20)) {
                problems.add("memoryLimit must be at least 64 MiB (Python needs about 30), got " + memoryLimit);
            }
            if (maxProcesses < 4) {
                problems.add("maxProcesses must be at least 4 (the sandbox's init, harness and case count), got "
                        + maxProcesses);
            }
            if (outputLimit < 1024 || outputLimit > (256L << 20)) {
                problems.add("outputLimit must be in [1 KiB, 256 MiB], got " + outputLimit);
            }
            if (!(floatTolerance >= 0) || Double.isInfinite(floatTolerance)) {
                problems.add("floatTolerance must be a finite number >= 0, got " + floatTolerance);
            }
            if (!Files.isDirectory(workDirectory)) {
                problems.add("workDirectory " + workDirectory + " is not a folder");
            }
            if (startupAllowance.compareTo(Duration.ofMillis(100)) < 0
                    || startupAllowance.compareTo(Duration.ofMinutes(10)) > 0) {
                problems.add("startupAllowance must be in [100 ms, 10 min], got " + startupAllowance);
            }
            if (sandboxUid <= 0) {
                problems.add("sandboxUid must be a positive, unprivileged uid, got " + sandboxUid);
            }
            if (!problems.isEmpty()) {
                throw new IllegalArgumentException("invalid CodeSandbox: " + String.join("; ", problems));
            }
            return new CodeSandbox(this);
        }
    }
}
