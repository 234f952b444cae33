package ai.redstar.verify;

/**
 * Why a response got its verdict: the finest classification, for breakdowns of where a model (or the data) goes
 * wrong. Each reason belongs to one {@link Verdict.Status}.
 */
public enum Reason {
    // ---- math (see ai.redstar.verify.math.Outcome)
    /** Math: both answers reduce to the same expression. */
    SAME_FORM(Verdict.Status.CORRECT),
    /** Math: equal as exact rationals. */
    EQUAL_EXACT(Verdict.Status.CORRECT),
    /** Math: equal in value to within rounding (radicals, π, complex numbers). */
    EQUAL_VALUE(Verdict.Status.CORRECT),
    /** Math: equal as functions at every sample point. */
    EQUAL_FUNCTION(Verdict.Status.CORRECT),
    /** Math: a decimal within the relative tolerance. */
    EQUAL_WITHIN_TOLERANCE(Verdict.Status.CORRECT),
    /** Math: the same words. */
    EQUAL_TEXT(Verdict.Status.CORRECT),
    /** Math: the answers differ. */
    DIFFERENT(Verdict.Status.WRONG),
    /** Math: the units were required to agree and do not. */
    DIFFERENT_UNITS(Verdict.Status.WRONG),
    /** Math: several boxed answers disagree while all were required to agree. */
    BOXED_DISAGREE(Verdict.Status.WRONG),
    /** Math: the answer is not a well-formed expression and differs from the gold as text. */
    UNPARSEABLE(Verdict.Status.WRONG),
    /** Math or choice: no answer found in the response. */
    NO_ANSWER(Verdict.Status.NO_ANSWER),
    /** Math: {@code <think>} was opened and never closed. */
    UNFINISHED_THINKING(Verdict.Status.NO_ANSWER),
    /** Math: the values could not be compared (undefined, or too few points where both are defined). */
    UNDECIDED(Verdict.Status.UNDECIDED),
    /** Math: the time budget ran out. */
    TIMEOUT(Verdict.Status.UNDECIDED),
    /** Math: nested deeper than the parser allows. */
    TOO_DEEP(Verdict.Status.UNDECIDED),
    /** Math: too long, too many parts, or a value that overflowed. */
    TOO_LARGE(Verdict.Status.UNDECIDED),
    // ---- multiple choice
    /** Choice: the extracted letters equal the gold letters. */
    CHOICE_MATCHED(Verdict.Status.CORRECT),
    /** Choice: a confident choice that differs from the gold. */
    CHOICE_MISMATCHED(Verdict.Status.WRONG),
    /** Choice: alternatives ("A or B") or a text that fits several options. */
    CHOICE_AMBIGUOUS(Verdict.Status.WRONG),
    /** Choice: a letter or text that names no supplied option. */
    CHOICE_NOT_AN_OPTION(Verdict.Status.WRONG),
    // ---- code
    /** Code: every test case passed. */
    TESTS_PASSED(Verdict.Status.CORRECT),
    /** Code: a case failed because of the program (wrong answer, error, a limit). */
    TESTS_FAILED(Verdict.Status.WRONG),
    /** Code: the response holds no code block. */
    NO_CODE(Verdict.Status.NO_ANSWER),
    /** Code: the sandbox itself failed; the grade says nothing about the program. */
    SANDBOX_FAILED(Verdict.Status.UNDECIDED),
    /** Code: no sandbox can run here (see {@code CodeSandbox.availability()}). */
    SANDBOX_UNAVAILABLE(Verdict.Status.UNDECIDED),
    // ---- any kind
    /** The gold itself is malformed (a choice gold that names no letter); the detail says how. */
    INVALID_GOLD(Verdict.Status.UNDECIDED);

    private final Verdict.Status status;

    Reason(Verdict.Status status) {
        this.status = status;
    }

    public Verdict.Status status() {
        return status;
    }
}
