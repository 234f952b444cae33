package ai.redstar.verify.code;

import java.time.Duration;
import java.util.Objects;

/**
 * The outcome of one test case.
 *
 * @param index the case's position in the tests, from 0
 * @param status what happened
 * @param elapsed the case's wall-clock time inside the sandbox (fork to exit), zero when it did not run
 * @param detail a short human-readable explanation (the first difference, the exception, the limit hit); at most
 *     {@value #MAX_DETAIL} characters, empty for a passed case
 */
public record CaseResult(int index, CaseStatus status, Duration elapsed, String detail) {

    /** The longest detail kept. */
    public static final int MAX_DETAIL = 400;

    public CaseResult {
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(elapsed, "elapsed");
        Objects.requireNonNull(detail, "detail");
        if (detail.length() > MAX_DETAIL) {
            detail = detail.substring(0, MAX_DETAIL - 3) + "...";
        }
    }

    /** Whether the case passed. */
    public boolean passed() {
        return status == CaseStatus.PASSED;
    }
}
