package ai.redstar.verify.math;

/** How a math comparison ended. {@link #equal()} tells whether the answer counts as right. */
public enum Outcome {
    /** Both answers have the same normal form. */
    SAME_FORM(Kind.EQUAL),
    /** Equal as exact rationals ({@code 0.5} and {@code \frac{1}{2}}, {@code 0.\overline{3}} and {@code 1/3}). */
    EQUAL_EXACT(Kind.EQUAL),
    /** Equal in value to within floating-point rounding ({@code \frac{\sqrt2}{2}} and {@code \frac{1}{\sqrt2}}). */
    EQUAL_VALUE(Kind.EQUAL),
    /** Equal as functions at every sample point ({@code (x+1)^2} and {@code x^2+2x+1}). */
    EQUAL_FUNCTION(Kind.EQUAL),
    /** A decimal agrees within the relative tolerance ({@code 3.14159} and {@code \pi}). */
    EQUAL_WITHIN_TOLERANCE(Kind.EQUAL),
    /** The same words, ignoring case and spacing. */
    EQUAL_TEXT(Kind.EQUAL),
    /** The answers differ. */
    DIFFERENT(Kind.WRONG),
    /** Units were required to match and do not. */
    DIFFERENT_UNITS(Kind.WRONG),
    /** Several boxed answers disagree while all were required to agree. */
    BOXED_DISAGREE(Kind.WRONG),
    /** The extracted answer is not a well-formed expression and differs from the gold as text. */
    UNPARSEABLE(Kind.WRONG),
    /** The response holds no answer. */
    NO_ANSWER(Kind.NO_ANSWER),
    /** The response opened a {@code <think>} block and never closed it. */
    UNFINISHED_THINKING(Kind.NO_ANSWER),
    /** The values could not be compared (undefined, or too few points where both are defined). */
    UNDECIDED(Kind.UNDECIDED),
    /** The time budget ran out. */
    TIMEOUT(Kind.UNDECIDED),
    /** Nested deeper than the parser allows. */
    TOO_DEEP(Kind.UNDECIDED),
    /** Too long, too many nodes, or a value that overflowed. */
    TOO_LARGE(Kind.UNDECIDED);

    /** The four kinds of ending; only {@link #EQUAL} counts as right. */
    public enum Kind {
        EQUAL, WRONG, NO_ANSWER, UNDECIDED
    }

    private final Kind kind;

    Outcome(Kind kind) {
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }

    public boolean equal() {
        return kind == Kind.EQUAL;
    }
}
