package ai.redstar.verify.choice;

import java.time.Duration;
import java.util.Objects;

/**
 * The grade of one multiple-choice response.
 *
 * @param correct whether the extracted choice equals the gold choice (the same set of letters)
 * @param extracted the letters extracted from the response, sorted and without separators ({@code "B"},
 *     {@code "AC"}); empty when no confident choice was found (then {@link #reason()} says why)
 * @param reason why the response was graded this way
 * @param detail a human-readable explanation: where the answer was found or why none was accepted
 * @param elapsed time spent grading
 */
public record ChoiceResult(boolean correct, String extracted, Reason reason, String detail, Duration elapsed) {

    /** Why a response was graded as it was. Only {@link #MATCHED} is correct. */
    public enum Reason {
        /** The extracted letters equal the gold letters. */
        MATCHED,
        /** A confident choice was extracted and differs from the gold. */
        MISMATCHED,
        /** No choice was found (also: the response is unfinished thinking, an unclosed {@code <think>}). */
        NO_ANSWER,
        /** The final answer names different letters as alternatives ("A or B"), or its text fits several options. */
        AMBIGUOUS,
        /** The final answer is a letter that names no supplied option, or a text that matches none. */
        NOT_AN_OPTION
    }

    public ChoiceResult {
        Objects.requireNonNull(extracted, "extracted");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(detail, "detail");
        Objects.requireNonNull(elapsed, "elapsed");
        if (correct != (reason == Reason.MATCHED)) {
            throw new IllegalArgumentException("correct=" + correct + " contradicts reason " + reason);
        }
    }
}
