package ai.redstar.data.geo;

/** How a teacher trace is written. Every style ends with {@code The answer is \boxed{B}.} (the letter varies). */
public enum TraceStyle {
    /**
     * Long chain of thought: {@code <think>} reading the figure, one line per reasoning step and a check
     * {@code </think>}, then the final answer (the form the data pipeline's format filter expects).
     */
    THINKING,
    /** The same steps without the {@code <think>} tags, then the final answer. */
    STEPS,
    /** Only the final answer line (short targets for tiny models). */
    ANSWER_ONLY
}
