package ai.redstar.verify;

import java.time.Duration;
import java.util.Objects;

/**
 * The grade of one response.
 *
 * @param reason why the response got this verdict; {@link #status()} and {@link #correct()} follow from it
 * @param answer what was extracted from the response: a math answer, the chosen letters, or the program;
 *     {@code ""} when nothing was found
 * @param normalizedAnswer the answer's canonical form (math), the sorted letters (choice), or {@code ""} (code)
 * @param normalizedGold the gold's canonical form (math), the gold letters (choice), or a description of the tests
 * @param detail a short explanation for a person: what differs, which case failed, why nothing was decided
 * @param elapsed time spent grading
 */
public record Verdict(Reason reason, String answer, String normalizedAnswer, String normalizedGold, String detail,
        Duration elapsed) {

    /** The four kinds of verdict. Only {@link #CORRECT} counts as right: a reward of 1, an accepted trace. */
    public enum Status {
        /** The answer equals the gold. */
        CORRECT,
        /** An answer was found and differs from the gold. */
        WRONG,
        /** No answer was found in the response. */
        NO_ANSWER,
        /** The grader could not decide (time budget, size limits, sandbox failure, malformed gold): counts as wrong. */
        UNDECIDED
    }

    public Verdict {
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(answer, "answer");
        Objects.requireNonNull(normalizedAnswer, "normalizedAnswer");
        Objects.requireNonNull(normalizedGold, "normalizedGold");
        Objects.requireNonNull(detail, "detail");
        Objects.requireNonNull(elapsed, "elapsed");
    }

    public Status status() {
        return reason.status();
    }

    /** Whether the response is right: the only verdict that earns a reward. */
    public boolean correct() {
        return reason.status() == Status.CORRECT;
    }
}
