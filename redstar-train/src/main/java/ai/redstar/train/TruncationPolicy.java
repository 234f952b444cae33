package ai.redstar.train;

/**
 * What happens to a record longer than the maximum length. Both are counted and reported in {@link SftResult}
 * and logged.
 */
public enum TruncationPolicy {
    /**
     * Keep its first {@code maxLength} tokens (TRL's default). Beware with long chain-of-thought data: the final answer
     * is usually at the end and is then cut off.
     */
    TRUNCATE,
    /** Leave it out of training. */
    DROP
}
