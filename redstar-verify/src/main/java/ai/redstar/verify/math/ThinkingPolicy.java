package ai.redstar.verify.math;

/** What to do with a {@code <think>...</think>} block in a response. */
public enum ThinkingPolicy {
    /**
     * The answer is looked for only after the last {@code </think>}; a response that opens {@code <think>} and
     * never closes it has no answer ({@link Outcome#UNFINISHED_THINKING}). Default: the reasoning is a draft.
     */
    STRIP,
    /** The whole response is searched, thinking included. */
    KEEP
}
