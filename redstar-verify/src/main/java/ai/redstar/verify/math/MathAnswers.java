package ai.redstar.verify.math;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Grades math answers: finds the final answer in a response, normalises it, and decides whether it equals the
 * gold answer. Built once with {@link #builder()}, then shared: immutable and thread-safe.
 *
 * <pre>{@code
 * MathAnswers math = MathAnswers.builder().relativeTolerance(1e-6).build();
 * Comparison c = math.grade("... so the answer is \\boxed{\\frac{\\sqrt2}{2}}", "\\frac{1}{\\sqrt{2}}",
 *         Duration.ofSeconds(1));
 * c.outcome().equal(); // true
 * }</pre>
 *
 * <p>What counts as equal: exact rationals and integers ({@code 1/2^{99}} differs from {@code 1/2^{98}});
 * decimals against anything within the relative tolerance; radicals, π, e and complex numbers by their values;
 * expressions with variables as functions (at shared sample points); equations up to a constant factor
 * ({@code y = 2x+1} and {@code 2x - y + 1 = 0}) and {@code x = 3} against {@code 3}; inequalities and intervals as
 * sets of reals (open and closed ends matter); sets without order, tuples and matrices with order; several
 * answers ({@code 1, 2} or {@code x = 1 or x = 2}) without order; {@code ±} as two answers; words without case.
 * See {@link PercentPolicy} and {@link UnitPolicy} for the readings that are options.
 *
 * <p>Every call is bounded by its time budget and by structural limits (answer length, nesting depth, node
 * count, exact number size); past them it ends {@link Outcome.Kind#UNDECIDED}, which counts as wrong. It never
 * throws on any input string.
 */
public final class MathAnswers {

    private static final Logger LOG = LoggerFactory.getLogger(MathAnswers.class);

    /** Default relative tolerance for decimals: about six significant digits. */
    public static final double DEFAULT_RELATIVE_TOLERANCE = 1e-6;
    /** Default longest answer (in characters) that is parsed; longer ones are {@link Outcome#TOO_LARGE}. */
    public static final int DEFAULT_MAX_ANSWER_LENGTH = 4_000;
    /** Default time budget of the convenience methods without one. */
    public static final Duration DEFAULT_BUDGET = Duration.ofSeconds(1);

    private static final MathAnswers DEFAULTS = builder().build();

    private final double relativeTolerance;
    private final PercentPolicy percent;
    private final UnitPolicy units;
    private final ThinkingPolicy thinking;
    private final BoxedPolicy boxed;
    private final boolean lastNumberFallback;
    private final int maxAnswerLength;
    private final Extractor extractor;

    private MathAnswers(Builder b) {
        this.relativeTolerance = b.relativeTolerance == null ? DEFAULT_RELATIVE_TOLERANCE : b.relativeTolerance;
        this.percent = b.percent == null ? PercentPolicy.NUMBER_OR_FRACTION : b.percent;
        this.units = b.units == null ? UnitPolicy.IGNORE : b.units;
        this.thinking = b.thinking == null ? ThinkingPolicy.STRIP : b.thinking;
        this.boxed = b.boxed == null ? BoxedPolicy.LAST : b.boxed;
        this.lastNumberFallback = b.lastNumberFallback != null && b.lastNumberFallback;
        this.maxAnswerLength = b.maxAnswerLength == null ? DEFAULT_MAX_ANSWER_LENGTH : b.maxAnswerLength;
        this.extractor = new Extractor(thinking, boxed, lastNumberFallback);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A grader with every default. */
    public static MathAnswers defaults() {
        return DEFAULTS;
    }

    /** A builder holding this grader's settings, to derive a variant. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.relativeTolerance = relativeTolerance;
        b.percent = percent;
        b.units = units;
        b.thinking = thinking;
        b.boxed = boxed;
        b.lastNumberFallback = lastNumberFallback;
        b.maxAnswerLength = maxAnswerLength;
        return b;
    }

    public double relativeTolerance() {
        return relativeTolerance;
    }

    public PercentPolicy percent() {
        return percent;
    }

    public UnitPolicy units() {
        return units;
    }

    public ThinkingPolicy thinking() {
        return thinking;
    }

    public BoxedPolicy boxed() {
        return boxed;
    }

    public boolean lastNumberFallback() {
        return lastNumberFallback;
    }

    public int maxAnswerLength() {
        return maxAnswerLength;
    }

    /** The answer in a full response (see {@link Extraction}). Linear in the response length. */
    public Extraction extract(String response) {
        Objects.requireNonNull(response, "response");
        return extractor.extract(response);
    }

    /**
     * The canonical form of an answer (the content of its last {@code \boxed{}} if it has one, as in
     * {@link #compare}): the printed expression tree when it parses (idempotent: normalising the result gives it
     * back), else the answer with its whitespace collapsed.
     */
    public String normalize(String answer) {
        Objects.requireNonNull(answer, "answer");
        answer = Extractor.gold(answer);
        Budget budget = Budget.ofNanos(DEFAULT_BUDGET.toNanos());
        try {
            Parser.Parsed parsed = answer.length() > maxAnswerLength ? null : Parser.parse(answer, budget);
            return parsed == null ? collapse(answer) : Nodes.print(parsed.node());
        } catch (Budget.Abort abort) {
            return collapse(answer);
        }
    }

    /** Whether two answers (not full responses) are equal, within {@link #DEFAULT_BUDGET}. Symmetric. */
    public boolean equivalent(String first, String second) {
        return compare(first, second, DEFAULT_BUDGET).outcome().equal();
    }

    /**
     * Compares an answer (already extracted) with the gold answer within {@code budget}; a {@code \boxed{}} on
     * either side is unwrapped first, so the comparison is symmetric.
     */
    public Comparison compare(String answer, String gold, Duration budget) {
        Objects.requireNonNull(answer, "answer");
        Objects.requireNonNull(gold, "gold");
        Budget b = Budget.ofNanos(budget.toNanos());
        return guarded(answer, gold, b, () -> compareWithin(Extractor.gold(answer), Extractor.gold(gold), b));
    }

    /**
     * Extracts the answer from {@code response} and compares it with {@code gold} (which may itself hold a
     * {@code \boxed{}}), all within {@code budget}.
     */
    public Comparison grade(String response, String gold, Duration budget) {
        Objects.requireNonNull(response, "response");
        Objects.requireNonNull(gold, "gold");
        Budget b = Budget.ofNanos(budget.toNanos());
        Extraction extraction = extractor.extract(response);
        String goldAnswer = Extractor.gold(gold);
        if (extraction.answers().isEmpty()) {
            Outcome outcome = extraction.source() == Extraction.Source.UNFINISHED_THINKING
                    ? Outcome.UNFINISHED_THINKING : Outcome.NO_ANSWER;
            return new Comparison(outcome, "", "", normalize(goldAnswer), "no answer found");
        }
        String answer = extraction.answer().orElseThrow();
        return guarded(answer, goldAnswer, b, () -> {
            List<String> answers = extraction.answers();
            for (int i = 0; i + 1 < answers.size(); i++) {
                Comparison agreement = compareWithin(answers.get(i), answer, b);
                if (!agreement.outcome().equal()) {
                    Outcome outcome = agreement.outcome().kind() == Outcome.Kind.UNDECIDED
                            ? agreement.outcome() : Outcome.BOXED_DISAGREE;
                    return new Comparison(outcome, answer, agreement.normalizedGold(), normalize(goldAnswer),
                            "boxed answer " + (i + 1) + " of " + answers.size() + " differs from the last: "
                                    + agreement.normalizedAnswer());
                }
            }
            return compareWithin(answer, goldAnswer, b);
        });
    }

    private interface Work {
        Comparison run();
    }

    /** Runs a comparison, turning an exhausted budget into an undecided outcome. */
    private Comparison guarded(String answer, String gold, Budget budget, Work work) {
        try {
            return work.run();
        } catch (Budget.Abort abort) {
            Outcome outcome = switch (abort.cause) {
                case TIMEOUT -> Outcome.TIMEOUT;
                case TOO_DEEP -> Outcome.TOO_DEEP;
                case TOO_LARGE -> Outcome.TOO_LARGE;
            };
            return new Comparison(outcome, answer, shorten(collapse(answer)), shorten(collapse(gold)),
                    abort.getMessage());
        } catch (RuntimeException bug) {
            // a defect in the grader must not crash a training run: report it loudly and count the answer wrong
            LOG.warn("math grader failed on answer '{}' against gold '{}'", shorten(answer), shorten(gold), bug);
            return new Comparison(Outcome.UNDECIDED, answer, shorten(collapse(answer)), shorten(collapse(gold)),
                    "internal error: " + bug);
        }
    }

    private Comparison compareWithin(String answer, String gold, Budget budget) {
        if (answer.isBlank()) {
            return new Comparison(Outcome.NO_ANSWER, answer, "", collapse(gold), "the answer is empty");
        }
        if (gold.isBlank()) {
            return new Comparison(Outcome.UNDECIDED, answer, collapse(answer), "", "the gold answer is empty");
        }
        if (gold.length() > maxAnswerLength) {
            return new Comparison(Outcome.TOO_LARGE, answer, shorten(collapse(answer)), shorten(collapse(gold)),
                    "gold longer than " + maxAnswerLength + " characters");
        }
        if (answer.length() > maxAnswerLength) {
            return new Comparison(Outcome.TOO_LARGE, answer, shorten(collapse(answer)), normalize(gold),
                    "answer longer than " + maxAnswerLength + " characters");
        }
        Parser.Parsed goldParsed = Parser.parse(gold, budget);
        Parser.Parsed answerParsed = Parser.parse(answer, budget);
        String normalizedGold = goldParsed == null ? collapse(gold) : Nodes.print(goldParsed.node());
        String normalizedAnswer = answerParsed == null ? collapse(answer) : Nodes.print(answerParsed.node());
        if (goldParsed == null || answerParsed == null) {
            boolean same = canonicalText(normalizedAnswer).equals(canonicalText(normalizedGold));
            Outcome outcome = same ? Outcome.EQUAL_TEXT : answerParsed == null ? Outcome.UNPARSEABLE : Outcome.DIFFERENT;
            String detail = same ? "" : answerParsed == null ? "the answer does not parse" : "the gold does not parse";
            return new Comparison(outcome, answer, normalizedAnswer, normalizedGold, detail);
        }
        Outcome unitMismatch = units(answerParsed.units(), goldParsed.units());
        if (unitMismatch != null) {
            return new Comparison(unitMismatch, answer, normalizedAnswer, normalizedGold,
                    "units " + answerParsed.units() + " against " + goldParsed.units());
        }
        Equivalence equivalence = new Equivalence(relativeTolerance, percent, budget);
        Equivalence.Decision decision = equivalence.same(answerParsed.node(), goldParsed.node());
        return new Comparison(decision.outcome(), answer, normalizedAnswer, normalizedGold, decision.detail());
    }

    private Outcome units(Set<String> answer, Set<String> gold) {
        return switch (units) {
            case IGNORE -> null;
            case MATCH_IF_BOTH_GIVEN -> !answer.isEmpty() && !gold.isEmpty() && !answer.equals(gold)
                    ? Outcome.DIFFERENT_UNITS : null;
            case REQUIRE_SAME -> answer.equals(gold) ? null : Outcome.DIFFERENT_UNITS;
        };
    }

    private static String collapse(String text) {
        StringBuilder out = new StringBuilder(Math.min(text.length(), 1 << 16));
        boolean space = false;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isWhitespace(c) || Character.isSpaceChar(c)) {
                space = out.length() > 0;
            } else {
                if (space) {
                    out.append(' ');
                    space = false;
                }
                out.append(c);
            }
        }
        return out.toString();
    }

    private static String canonicalText(String text) {
        return text.toLowerCase(Locale.ROOT).replace(" ", "");
    }

    private static String shorten(String text) {
        return text.length() <= 200 ? text : text.substring(0, 197) + "...";
    }

    /**
     * Settings of a {@link MathAnswers}. Each may be set once; {@link #build()} reports every invalid value at
     * once.
     */
    public static final class Builder {
        private Double relativeTolerance;
        private PercentPolicy percent;
        private UnitPolicy units;
        private ThinkingPolicy thinking;
        private BoxedPolicy boxed;
        private Boolean lastNumberFallback;
        private Integer maxAnswerLength;
        private final List<String> problems = new ArrayList<>();

        private Builder() {
        }

        private void once(Object current, String name) {
            if (current != null) {
                problems.add(name + " was set twice");
            }
        }

        /**
         * Relative tolerance applied when either answer holds a decimal written with a point or an exponent
         * ({@code 0.333333} vs {@code 1/3}); default {@value #DEFAULT_RELATIVE_TOLERANCE}, in [0, 0.01].
         *
         * <p>Why 1e-6: a decimal must carry about six significant digits to stand for an exact value, so
         * {@code 3.14159} passes for π and {@code 3.1416} or {@code 0.333} do not (Qwen2.5-Math's 1e-4 accepts
         * both, rewarding a rounded guess); and because the tolerance is relative only, never absolute (unlike a
         * rounding to six decimal places), tiny values keep their difference ({@code 1e-9} is not {@code 2e-9}).
         * Exact answers are never compared with a tolerance: {@code 1/2^{99}} differs from {@code 1/2^{98}}
         * exactly, and irrational constants are confirmed to 64 digits.
         */
        public Builder relativeTolerance(double relativeTolerance) {
            once(this.relativeTolerance, "relativeTolerance");
            this.relativeTolerance = relativeTolerance;
            return this;
        }

        /** How {@code 28\%} compares with {@code 28} and {@code 0.28}; default {@link PercentPolicy#NUMBER_OR_FRACTION}. */
        public Builder percent(PercentPolicy percent) {
            once(this.percent, "percent");
            this.percent = Objects.requireNonNull(percent, "percent");
            return this;
        }

        /** Whether units must agree; default {@link UnitPolicy#IGNORE}. */
        public Builder units(UnitPolicy units) {
            once(this.units, "units");
            this.units = Objects.requireNonNull(units, "units");
            return this;
        }

        /** Whether {@code <think>} blocks are skipped; default {@link ThinkingPolicy#STRIP}. */
        public Builder thinking(ThinkingPolicy thinking) {
            once(this.thinking, "thinking");
            this.thinking = Objects.requireNonNull(thinking, "thinking");
            return this;
        }

        /** Which box counts when there are several; default {@link BoxedPolicy#LAST}. */
        public Builder boxed(BoxedPolicy boxed) {
            once(this.boxed, "boxed");
            this.boxed = Objects.requireNonNull(boxed, "boxed");
            return this;
        }

        /**
         * Whether the last number of a response is its answer when it has no box and no answer phrase; default
         * false: a response that never states its answer is a format failure, and guessing invites false
         * positives.
         */
        public Builder lastNumberFallback(boolean lastNumberFallback) {
            once(this.lastNumberFallback, "lastNumberFallback");
            this.lastNumberFallback = lastNumberFallback;
            return this;
        }

        /** Longest answer, in characters, that is parsed; default {@value #DEFAULT_MAX_ANSWER_LENGTH}, at least 16. */
        public Builder maxAnswerLength(int maxAnswerLength) {
            once(this.maxAnswerLength, "maxAnswerLength");
            this.maxAnswerLength = maxAnswerLength;
            return this;
        }

        /**
         * @throws IllegalArgumentException naming every invalid or twice-set setting
         */
        public MathAnswers build() {
            List<String> all = new ArrayList<>(problems);
            if (relativeTolerance != null && !(relativeTolerance >= 0 && relativeTolerance <= 0.01)) {
                all.add("relativeTolerance must be in [0, 0.01], was " + relativeTolerance);
            }
            if (maxAnswerLength != null && maxAnswerLength < 16) {
                all.add("maxAnswerLength must be at least 16, was " + maxAnswerLength);
            }
            if (!all.isEmpty()) {
                throw new IllegalArgumentException("invalid MathAnswers settings: " + String.join("; ", all));
            }
            return new MathAnswers(this);
        }
    }
}
