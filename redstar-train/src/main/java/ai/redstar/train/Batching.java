package ai.redstar.train;

/**
 * How records become micro-batches; either way a micro-batch holds at most the token budget
 * ({@code SftTrainer.Builder#batchTokens}), counting padding.
 */
public enum Batching {
    /**
     * Several records per row, up to the maximum length (first-fit decreasing over windows of shuffled records); each
     * record is its own attention segment with positions restarting at 0, so no token attends another record and the
     * loss equals that of the records run alone. Rows per micro-batch: {@code batchTokens / maxLength}.
     */
    PACKED,
    /**
     * One record per row, padded to the longest row of its micro-batch; micro-batches are formed from windows of
     * shuffled records sorted by length (length grouping), as many rows as the token budget allows, then shuffled.
     */
    PADDED
}
