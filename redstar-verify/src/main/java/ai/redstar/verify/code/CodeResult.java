package ai.redstar.verify.code;

import com.google.common.collect.ImmutableList;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The grade of one program against its tests.
 *
 * @param correct whether every case passed (never true when nothing ran)
 * @param code the program that was run (the code extracted from a response), empty when none was found
 * @param reason why the program was graded this way
 * @param detail a human-readable explanation: the first failing case and why, or why nothing ran
 * @param passed the number of passed cases
 * @param total the number of cases in the tests
 * @param cases one result per case, in order; empty when nothing ran ({@link Isolation#NOT_RUN})
 * @param isolation how the program was run
 * @param elapsed wall-clock time of the whole grading, sandbox start-up and clean-up included
 */
public record CodeResult(
        boolean correct,
        Optional<String> code,
        Reason reason,
        String detail,
        int passed,
        int total,
        List<CaseResult> cases,
        Isolation isolation,
        Duration elapsed) {

    /** Why a program was graded as it was. Only {@link #ALL_PASSED} is correct. */
    public enum Reason {
        /** Every case passed. */
        ALL_PASSED,
        /** At least one case failed because of the program (wrong answer, error, a limit). */
        TESTS_FAILED,
        /**
         * At least one case hit {@link CaseStatus#SANDBOX_ERROR}: the grade says nothing reliable about the
         * program (an RL reward should skip it rather than punish it).
         */
        SANDBOX_FAILED,
        /** The response holds no fenced code block. */
        NO_CODE,
        /**
         * Bubblewrap cannot run here and unsandboxed runs are not allowed; {@link #detail()} says why (see
         * {@link CodeSandbox#availability()}).
         */
        SANDBOX_UNAVAILABLE
    }

    public CodeResult {
        Objects.requireNonNull(code, "code");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(detail, "detail");
        Objects.requireNonNull(isolation, "isolation");
        Objects.requireNonNull(elapsed, "elapsed");
        cases = ImmutableList.copyOf(cases);
        if (correct != (reason == Reason.ALL_PASSED)) {
            throw new IllegalArgumentException("correct=" + correct + " contradicts reason " + reason);
        }
    }

    /** The first case that did not pass, if any. */
    public Optional<CaseResult> firstFailure() {
        return cases.stream().filter(c -> !c.passed()).findFirst();
    }

    /** The fraction of cases passed, in [0, 1]; 0 when nothing ran. */
    public double passRate() {
        return total == 0 ? 0.0 : (double) passed / total;
    }
}
