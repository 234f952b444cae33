package ai.redstar.verify.math;

/** Which {@code \boxed{...}} counts when a response has several. */
public enum BoxedPolicy {
    /** The last complete box is the answer (default; models restate the answer at the end). */
    LAST,
    /** Every box must hold an equivalent answer; otherwise the response is wrong ({@link Outcome#BOXED_DISAGREE}). */
    ALL_MUST_AGREE
}
