package ai.redstar.verify;

import ai.redstar.verify.choice.ChoiceAnswers;
import ai.redstar.verify.choice.ChoiceResult;
import ai.redstar.verify.code.CodeResult;
import ai.redstar.verify.code.CodeSandbox;
import ai.redstar.verify.eval.MajorityVote;
import ai.redstar.verify.math.Comparison;
import ai.redstar.verify.math.MathAnswers;
import com.google.common.base.Suppliers;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * The rule-based verifier: grades a model's response against a {@link Gold} answer (math, multiple choice or
 * code) and says why. The data pipeline keeps a trace only when it is {@link Verdict#correct() correct}; RL
 * rewards 1 for correct and 0 otherwise; evaluation counts accuracy, pass@k and maj@k.
 *
 * <pre>{@code
 * RuleVerifier verifier = RuleVerifier.builder().timeBudget(Duration.ofSeconds(1)).build();
 * Verdict v = verifier.verify("... so the answer is \\boxed{0.5}", Gold.math("\\frac12"));
 * v.correct();  // true
 * v.reason();   // EQUAL_EXACT
 * List<Verdict> all = verifier.verifyAll(submissions);   // in parallel, in order
 * }</pre>
 *
 * <p>Math and choice grading never throw on any response and never run past the {@linkplain Builder#timeBudget
 * time budget} by more than a few checks' worth of work (a response is still read once in full, which costs
 * milliseconds per megabyte); past the budget the verdict is {@link Reason#TIMEOUT}, which counts as wrong. Code
 * runs under the sandbox's own per-case limits instead.
 *
 * <p>Immutable and thread-safe: one verifier may serve any number of threads.
 */
public final class RuleVerifier {

    /** Default time budget of one math grading. */
    public static final Duration DEFAULT_TIME_BUDGET = Duration.ofSeconds(1);

    private final MathAnswers math;
    private final ChoiceAnswers choice;
    private final Supplier<CodeSandbox> code;
    private final Duration timeBudget;
    private final int parallelism;

    private RuleVerifier(Builder b) {
        this.math = b.math == null ? MathAnswers.defaults() : b.math;
        this.choice = b.choice == null ? ChoiceAnswers.standard() : b.choice;
        CodeSandbox sandbox = b.code;
        this.code = sandbox != null ? () -> sandbox : Suppliers.memoize(() -> CodeSandbox.builder().build());
        this.timeBudget = b.timeBudget == null ? DEFAULT_TIME_BUDGET : b.timeBudget;
        this.parallelism = b.parallelism == null ? Runtime.getRuntime().availableProcessors() : b.parallelism;
    }

    public static Builder builder() {
        return new Builder();
    }

    public MathAnswers math() {
        return math;
    }

    public ChoiceAnswers choice() {
        return choice;
    }

    /** The code sandbox (built with its defaults on first use when none was configured). */
    public CodeSandbox code() {
        return code.get();
    }

    public Duration timeBudget() {
        return timeBudget;
    }

    public int parallelism() {
        return parallelism;
    }

    /** Grades a response against a math answer: {@code verify(response, Gold.math(gold))}. */
    public Verdict verify(String response, String mathGold) {
        return verify(response, Gold.math(mathGold));
    }

    /** Grades one response against its gold. */
    public Verdict verify(String response, Gold gold) {
        Objects.requireNonNull(response, "response");
        Objects.requireNonNull(gold, "gold");
        long start = System.nanoTime();
        if (gold instanceof Gold.Math m) {
            return fromMath(math.grade(response, m.answer(), timeBudget), start);
        } else if (gold instanceof Gold.Choice c) {
            ChoiceResult result;
            try {
                result = choice.grade(response, c.letters(), c.options().orElse(null));
            } catch (IllegalArgumentException badGold) {
                return new Verdict(Reason.INVALID_GOLD, "", "", c.letters(), badGold.getMessage(), since(start));
            }
            return fromChoice(result, c, start);
        } else {
            Gold.Code g = (Gold.Code) gold;
            return fromCode(code.get().grade(response, g.tests()), g, start);
        }
    }

    /**
     * Grades every submission, {@link Builder#parallelism(int) parallelism} at a time, and returns the verdicts in
     * the submissions' order. The threads are made for the call and stopped before it returns.
     *
     * @throws IllegalStateException when the calling thread is interrupted (its interrupt flag is set again)
     */
    public List<Verdict> verifyAll(List<Submission> submissions) {
        Objects.requireNonNull(submissions, "submissions");
        int threads = Math.min(parallelism, submissions.size());
        if (threads <= 1) {
            List<Verdict> verdicts = new ArrayList<>(submissions.size());
            for (Submission s : submissions) {
                verdicts.add(verify(s.response(), s.gold()));
            }
            return verdicts;
        }
        ExecutorService pool = Executors.newFixedThreadPool(threads, new Named());
        try {
            List<Callable<Verdict>> tasks = new ArrayList<>(submissions.size());
            for (Submission s : submissions) {
                tasks.add(() -> verify(s.response(), s.gold()));
            }
            List<Verdict> verdicts = new ArrayList<>(submissions.size());
            for (Future<Verdict> f : pool.invokeAll(tasks)) {
                verdicts.add(f.get());
            }
            return verdicts;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while verifying " + submissions.size() + " submissions", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException r) {
                throw r;
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException("verification failed", cause);
        } finally {
            pool.shutdownNow();
        }
    }

    /** Whether two math answers (not responses) are equal, within the time budget. Symmetric. */
    public boolean equivalent(String first, String second) {
        return math.compare(first, second, timeBudget).outcome().equal();
    }

    /**
     * Majority voting (maj@k): extracts each response's answer, groups equal answers (math equality, or the
     * same set of letters for choices), and grades the largest group's answer against the gold. Responses without
     * an answer do not vote.
     *
     * @throws IllegalArgumentException for a code gold: programs are not voted on
     */
    public MajorityVerdict majority(List<String> responses, Gold gold) {
        Objects.requireNonNull(responses, "responses");
        Objects.requireNonNull(gold, "gold");
        long start = System.nanoTime();
        List<String> answers = new ArrayList<>();
        List<Integer> owners = new ArrayList<>();
        if (gold instanceof Gold.Math) {
            for (int i = 0; i < responses.size(); i++) {
                Optional<String> answer = math.extract(responses.get(i)).answer();
                if (answer.isPresent() && !answer.get().isBlank()) {
                    answers.add(answer.get());
                    owners.add(i);
                }
            }
            var winner = MajorityVote.winner(answers, this::equivalent);
            return vote(responses, gold, answers.size(), winner.map(w -> owners.get(w.firstIndex())),
                    winner.map(MajorityVote.Group::votes).orElse(0), start);
        } else if (gold instanceof Gold.Choice c) {
            for (int i = 0; i < responses.size(); i++) {
                ChoiceResult r;
                try {
                    r = choice.grade(responses.get(i), c.letters(), c.options().orElse(null));
                } catch (IllegalArgumentException badGold) {
                    return new MajorityVerdict(new Verdict(Reason.INVALID_GOLD, "", "", c.letters(),
                            badGold.getMessage(), since(start)), 0, 0, responses.size());
                }
                if (!r.extracted().isEmpty()) {
                    answers.add(r.extracted());
                    owners.add(i);
                }
            }
            var winner = MajorityVote.winner(answers, String::equals);
            return vote(responses, gold, answers.size(), winner.map(w -> owners.get(w.firstIndex())),
                    winner.map(MajorityVote.Group::votes).orElse(0), start);
        }
        throw new IllegalArgumentException("majority voting needs comparable answers; a code gold has none");
    }

    private MajorityVerdict vote(List<String> responses, Gold gold, int voters, Optional<Integer> winner, int votes,
            long start) {
        if (winner.isEmpty()) {
            return new MajorityVerdict(new Verdict(Reason.NO_ANSWER, "", "", "",
                    "none of " + responses.size() + " responses has an answer", since(start)), 0, 0, responses.size());
        }
        Verdict v = verify(responses.get(winner.get()), gold);
        Verdict timed = new Verdict(v.reason(), v.answer(), v.normalizedAnswer(), v.normalizedGold(),
                v.detail(), since(start));
        return new MajorityVerdict(timed, votes, voters, responses.size());
    }

    // ---------------------------------------------------------------- mapping the graders' results

    private static Duration since(long start) {
        return Duration.ofNanos(System.nanoTime() - start);
    }

    private static Verdict fromMath(Comparison c, long start) {
        Reason reason = switch (c.outcome()) {
            case SAME_FORM -> Reason.SAME_FORM;
            case EQUAL_EXACT -> Reason.EQUAL_EXACT;
            case EQUAL_VALUE -> Reason.EQUAL_VALUE;
            case EQUAL_FUNCTION -> Reason.EQUAL_FUNCTION;
            case EQUAL_WITHIN_TOLERANCE -> Reason.EQUAL_WITHIN_TOLERANCE;
            case EQUAL_TEXT -> Reason.EQUAL_TEXT;
            case DIFFERENT -> Reason.DIFFERENT;
            case DIFFERENT_UNITS -> Reason.DIFFERENT_UNITS;
            case BOXED_DISAGREE -> Reason.BOXED_DISAGREE;
            case UNPARSEABLE -> Reason.UNPARSEABLE;
            case NO_ANSWER -> Reason.NO_ANSWER;
            case UNFINISHED_THINKING -> Reason.UNFINISHED_THINKING;
            case UNDECIDED -> Reason.UNDECIDED;
            case TIMEOUT -> Reason.TIMEOUT;
            case TOO_DEEP -> Reason.TOO_DEEP;
            case TOO_LARGE -> Reason.TOO_LARGE;
        };
        return new Verdict(reason, c.answer(), c.normalizedAnswer(), c.normalizedGold(), c.detail(), since(start));
    }

    private static Verdict fromChoice(ChoiceResult r, Gold.Choice gold, long start) {
        Reason reason = switch (r.reason()) {
            case MATCHED -> Reason.CHOICE_MATCHED;
            case MISMATCHED -> Reason.CHOICE_MISMATCHED;
            case NO_ANSWER -> Reason.NO_ANSWER;
            case AMBIGUOUS -> Reason.CHOICE_AMBIGUOUS;
            case NOT_AN_OPTION -> Reason.CHOICE_NOT_AN_OPTION;
        };
        return new Verdict(reason, r.extracted(), r.extracted(), gold.letters().trim(), r.detail(), since(start));
    }

    private static Verdict fromCode(CodeResult r, Gold.Code gold, long start) {
        Reason reason = switch (r.reason()) {
            case ALL_PASSED -> Reason.TESTS_PASSED;
            case TESTS_FAILED -> Reason.TESTS_FAILED;
            case SANDBOX_FAILED -> Reason.SANDBOX_FAILED;
            case NO_CODE -> Reason.NO_CODE;
            case SANDBOX_UNAVAILABLE -> Reason.SANDBOX_UNAVAILABLE;
        };
        String detail = r.detail() + (r.total() > 0 ? " (" + r.passed() + "/" + r.total() + " cases passed)" : "");
        return new Verdict(reason, r.code().orElse(""), "", gold.tests().size() + " test cases", detail, since(start));
    }

    /** Names the batch threads, as daemons, so that a stuck grading never keeps the JVM alive. */
    private static final class Named implements ThreadFactory {
        private static final AtomicInteger COUNT = new AtomicInteger();

        @Override
        public Thread newThread(Runnable r) {
            Thread t = new Thread(r, "redstar-verify-" + COUNT.incrementAndGet());
            t.setDaemon(true);
            return t;
        }
    }

    /**
     * Settings of a {@link RuleVerifier}. Each may be set once; {@link #build()} reports every invalid value at
     * once.
     */
    public static final class Builder {
        private MathAnswers math;
        private ChoiceAnswers choice;
        private CodeSandbox code;
        private Duration timeBudget;
        private Integer parallelism;
        private final List<String> problems = new ArrayList<>();

        private Builder() {
        }

        private void once(Object current, String name) {
            if (current != null) {
                problems.add(name + " was set twice");
            }
        }

        /** The math grader: tolerance, percent and unit policies, extraction (default {@link MathAnswers#defaults()}). */
        public Builder math(MathAnswers math) {
            once(this.math, "math");
            this.math = Objects.requireNonNull(math, "math");
            return this;
        }

        /** The multiple-choice grader (default {@link ChoiceAnswers#standard()}). */
        public Builder choice(ChoiceAnswers choice) {
            once(this.choice, "choice");
            this.choice = Objects.requireNonNull(choice, "choice");
            return this;
        }

        /** The code sandbox (default: {@code CodeSandbox.builder().build()}, made on the first code gold). */
        public Builder code(CodeSandbox code) {
            once(this.code, "code");
            this.code = Objects.requireNonNull(code, "code");
            return this;
        }

        /**
         * The time budget of one math grading (default 1 s), in (0, 1 h]. Past it the verdict is
         * {@link Reason#TIMEOUT}. Code runs under the sandbox's own per-case time limit instead.
         */
        public Builder timeBudget(Duration timeBudget) {
            once(this.timeBudget, "timeBudget");
            this.timeBudget = Objects.requireNonNull(timeBudget, "timeBudget");
            return this;
        }

        /** Submissions graded at once by {@link RuleVerifier#verifyAll} (default: the available processors), in [1, 1024]. */
        public Builder parallelism(int parallelism) {
            once(this.parallelism, "parallelism");
            this.parallelism = parallelism;
            return this;
        }

        /**
         * @throws IllegalArgumentException naming every invalid or twice-set setting
         */
        public RuleVerifier build() {
            List<String> all = new ArrayList<>(problems);
            if (timeBudget != null && (timeBudget.isNegative() || timeBudget.isZero()
                    || timeBudget.compareTo(Duration.ofHours(1)) > 0)) {
                all.add("timeBudget must be in (0, 1 h], was " + timeBudget);
            }
            if (parallelism != null && (parallelism < 1 || parallelism > 1024)) {
                all.add("parallelism must be in [1, 1024], was " + parallelism);
            }
            if (!all.isEmpty()) {
                throw new IllegalArgumentException("invalid RuleVerifier settings: " + String.join("; ", all));
            }
            return new RuleVerifier(this);
        }
    }
}
