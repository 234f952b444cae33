package ai.redstar.data.filter;

/** How a response's thinking is delimited. */
public enum ThinkState {
    /** No {@code <think>} or {@code </think>}: the whole response is the answer part. */
    NONE,
    /**
     * The thinking ends with {@code </think>} (opened by {@code <think>}, or by the prompt when only the closing tag
     * is present); the answer part follows it.
     */
    CLOSED,
    /** {@code <think>} was opened and never closed: the response stopped while thinking. */
    UNCLOSED
}
