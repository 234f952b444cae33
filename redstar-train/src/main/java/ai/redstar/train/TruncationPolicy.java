package ai.redstar.train;

/**
 * What happens to a record longer than the maximum length. Both are counted and reported in {@link SftResult}
 * and logged. A record with images is never truncated, as a cut could split an image's token run or lose an image: a
 * longer one is left out under either policy.
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
