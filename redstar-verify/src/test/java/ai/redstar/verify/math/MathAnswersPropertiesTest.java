package ai.redstar.verify.math;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;

/** Properties of the math grader on arbitrary and on math-like strings. */
class MathAnswersPropertiesTest {

    private static final MathAnswers MATH = MathAnswers.defaults();
    private static final Duration BUDGET = Duration.ofMillis(200);

    /** Pieces of LaTeX, plain text and unicode mathematics, glued at random into answers. */
    private static final List<String> FRAGMENTS = List.of(
            "0", "1", "2", "3", "7", "12", "0.5", "1,000", "6.02e23", "0.\\overline{3}", "x", "y", "n", "e", "i",
            "\\pi", "\\infty", "+", "-", "*", "/", "^", "_", "^{", "{", "}", "(", ")", "[", "]", "\\{", "\\}", "|", ",",
            ";", "=", "<", "\\le", "\\ge", "\\ne", "\\frac{", "\\frac12", "\\dfrac", "\\sqrt{", "\\sqrt[3]{", "\\sqrt",
            "\\left(", "\\right)", "\\cdot", "\\times", "\\pm", "\\cup", "\\in", "\\%", "%", "^\\circ", "\\text{",
            " cm", " or ", " and ", "\\boxed{", "\\sin", "\\log_2", "\\ln", "!", "\\begin{pmatrix}", "&", "\\\\",
            "\\end{pmatrix}", "√", "π", "½", "−", "²", "≤", "°", "±", " ", ".", "...", "\\ldots", "\\$", "\\mathbb{R}",
            "\\approx", "\\binom", "\\lfloor", "\\rfloor", "1011_2", "<think>", "</think>", "\\emptyset");

    @Provide
    Arbitrary<String> mathLike() {
        return Arbitraries.of(FRAGMENTS).list().ofMinSize(1).ofMaxSize(24).map(parts -> String.join("", parts));
    }

    @Provide
    Arbitrary<String> anything() {
        return Arbitraries.oneOf(Arbitraries.strings().ofMaxLength(300), mathLike());
    }

    /** Well-formed answers from a small grammar: expressions, then structures around them. */
    @Provide
    Arbitrary<String> wellFormed() {
        Arbitrary<String> e = expression(3);
        return Arbitraries.oneOf(e,
                Combinators.combine(e, e).as((a, b) -> "(" + a + ", " + b + ")"),
                Combinators.combine(e, e).as((a, b) -> "\\{" + a + ", " + b + "\\}"),
                Combinators.combine(e, e).as((a, b) -> "[" + a + ", " + b + ")"),
                Combinators.combine(e, e).as((a, b) -> a + " = " + b),
                e.map(a -> "x = " + a),
                Combinators.combine(e, e).as((a, b) -> a + " \\le " + b),
                Combinators.combine(e, e).as((a, b) -> a + ", " + b),
                Combinators.combine(e, e).as((a, b) -> a + " \\pm " + b),
                e.map(a -> "(" + a + ")\\%"),
                e.map(a -> "(" + a + ")^\\circ"),
                Combinators.combine(e, e).as((a, b) -> "\\begin{pmatrix}" + a + " & " + b + "\\end{pmatrix}"));
    }

    private Arbitrary<String> expression(int depth) {
        Arbitrary<String> atom = Arbitraries.oneOf(Arbitraries.integers().between(0, 30).map(String::valueOf),
                Arbitraries.of("x", "y", "\\pi", "e", "i", "0.5", "2.25", "\\frac12", "0.\\overline{6}", "\\infty",
                        "1,000", "6.02e23", "\\sqrt2"));
        if (depth == 0) {
            return atom;
        }
        Arbitrary<String> sub = expression(depth - 1);
        return Arbitraries.oneOf(atom, atom,
                Combinators.combine(sub, Arbitraries.of("+", "-", "\\cdot ", "/", " ", "\\times "), sub)
                        .as((a, op, b) -> a + op + b),
                Combinators.combine(sub, sub).as((a, b) -> "\\frac{" + a + "}{" + b + "}"),
                sub.map(a -> "\\sqrt{" + a + "}"),
                sub.map(a -> "(" + a + ")"),
                sub.map(a -> "-" + a),
                Combinators.combine(sub, Arbitraries.integers().between(-3, 12)).as((a, n) -> "(" + a + ")^{" + n + "}"),
                sub.map(a -> "\\sin(" + a + ")"),
                sub.map(a -> "\\ln(" + a + ")"),
                sub.map(a -> "|" + a + "|"),
                sub.map(a -> "\\left(" + a + "\\right)"));
    }

    @Property(tries = 1500)
    void normalize_wellFormed_isIdempotentAndKeepsTheValue(@ForAll("wellFormed") String s) {
        String once = MATH.normalize(s);
        assertEquals(once, MATH.normalize(once), () -> "'" + s + "' normalises to '" + once + "'");
        Outcome outcome = MATH.compare(s, once, BUDGET).outcome();
        assertTrue(outcome.kind() != Outcome.Kind.WRONG, () -> "'" + s + "' vs its normal form '" + once + "': " + outcome);
    }

    @Property(tries = 1500)
    void compare_wellFormed_isSymmetric(@ForAll("wellFormed") String a, @ForAll("wellFormed") String b) {
        assertEquals(MATH.compare(a, b, BUDGET).outcome().equal(), MATH.compare(b, a, BUDGET).outcome().equal(),
                () -> "'" + a + "' vs '" + b + "'");
    }

    @Property(tries = 1500)
    void compare_anyStrings_neverThrows(@ForAll("anything") String answer, @ForAll("anything") String gold) {
        Comparison c = MATH.compare(answer, gold, BUDGET);
        assertTrue(c.outcome() != null && c.normalizedAnswer() != null && c.normalizedGold() != null);
        MATH.grade(answer, gold, BUDGET);
        MATH.extract(answer);
    }

    @Property(tries = 1500)
    void compare_isSymmetric(@ForAll("mathLike") String a, @ForAll("mathLike") String b) {
        assertEquals(MATH.compare(a, b, BUDGET).outcome().equal(), MATH.compare(b, a, BUDGET).outcome().equal(),
                () -> "'" + a + "' vs '" + b + "'");
    }

    @Property(tries = 1500)
    void compare_answerWithItself_isNeverWrong(@ForAll("mathLike") String a) {
        Outcome outcome = MATH.compare(a, a, BUDGET).outcome();
        assertTrue(outcome.kind() != Outcome.Kind.WRONG, () -> "'" + a + "' against itself: " + outcome);
    }

    @Property(tries = 1500)
    void normalize_isIdempotent(@ForAll("anything") String s) {
        String once = MATH.normalize(s);
        assertEquals(once, MATH.normalize(once), () -> "'" + s + "' normalises to '" + once + "'");
    }

    @Property(tries = 1500)
    void normalize_keepsTheAnswer(@ForAll("mathLike") String s) {
        String normal = MATH.normalize(s);
        Outcome outcome = MATH.compare(s, normal, BUDGET).outcome();
        assertTrue(outcome.kind() != Outcome.Kind.WRONG, () -> "'" + s + "' vs its normal form '" + normal + "': " + outcome);
    }

    @Property(tries = 300)
    void grade_everyCall_endsWithinItsBudget(@ForAll("anything") String response, @ForAll("mathLike") String gold) {
        long start = System.nanoTime();
        MATH.grade(response + " \\boxed{" + response + "}", gold, BUDGET);
        long elapsed = System.nanoTime() - start;
        // the budget is checked every few dozen steps; one second of slack absorbs a GC pause on a busy machine
        assertTrue(elapsed < BUDGET.toNanos() + 1_000_000_000L, () -> "took " + elapsed / 1_000_000 + " ms");
    }

    @Property(tries = 500)
    void fractions_equalWhenScaled_differentWhenShifted(@ForAll @LongRange(min = -100_000, max = 100_000) long p,
            @ForAll @LongRange(min = 1, max = 100_000) long q, @ForAll @IntRange(min = 2, max = 999) int k) {
        String fraction = "\\frac{" + p + "}{" + q + "}";
        assertTrue(MATH.equivalent(fraction, (p * k) + "/" + (q * k)));
        assertFalse(MATH.equivalent(fraction, "\\frac{" + (p + 1) + "}{" + q + "}"));
    }

    @Property(tries = 200)
    void tinyPowers_keepTheirDifference(@ForAll @IntRange(min = 1, max = 3000) int n) {
        assertFalse(MATH.equivalent("\\frac{1}{2^{" + n + "}}", "\\frac{1}{2^{" + (n + 1) + "}}"));
        assertTrue(MATH.equivalent("2^{-" + n + "}", "\\frac{1}{2^{" + n + "}}"));
    }
}
