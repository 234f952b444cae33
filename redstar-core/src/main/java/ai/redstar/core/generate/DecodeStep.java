package ai.redstar.core.generate;

/**
 * What one forward pass of {@link Generator} did, reported to a {@link Generator.Builder#listener listener}: for
 * progress display and to check that finished rows stop costing work.
 *
 * @param chunk which group of at most {@code maxBatchRows} rows, from 0, in request order
 * @param step 0 for the prompt prefill, then 1, 2, ... for each decoding step
 * @param rows rows the forward pass ran on (for the prefill: distinct prompts, whose cache is then shared by their
 *     samples); finished rows have been dropped from the batch and the KV cache
 * @param cacheLength positions per row held in the KV cache after this pass (prompt padding included)
 * @param finishedRows rows of this chunk whose completion has ended, after this pass's tokens
 * @param chunkRows rows in this chunk (the sum of its requests' {@code samplesPerPrompt})
 */
public record DecodeStep(int chunk, int step, int rows, int cacheLength, int finishedRows, int chunkRows) {}
