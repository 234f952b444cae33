package ai.redstar.rl.loss;

import ai.djl.ndarray.NDArray;

/**
 * How per-token losses of one micro-batch become the scalar whose gradients are accumulated over an optimiser step.
 * Stateless and thread-safe.
 */
public enum Aggregation {
    /**
     * Σ(loss·mask) / N where N is the number of valid tokens of the whole optimiser step across all accumulation
     * micro-batches, so that every token weighs the same however the step is split (DAPO, Dr. GRPO).
     */
    TOKEN_MEAN,
    /**
     * Σ_sequences (Σ_t loss·mask / length) / S where S is the number of sequences of the whole optimiser step
     * (the original GRPO); sequences without a valid token contribute 0.
     */
    SEQUENCE_MEAN;

    /**
     * Aggregates one micro-batch.
     *
     * @param loss per-token losses [batch, tokens], float32
     * @param mask 1 for a valid response position, 0 otherwise, [batch, tokens], float32
     * @param stepTotal valid tokens (TOKEN_MEAN) or sequences (SEQUENCE_MEAN) of the whole optimiser step, &gt; 0
     * @return a scalar in {@code loss}'s manager
     */
    public NDArray aggregate(NDArray loss, NDArray mask, double stepTotal) {
        if (!(stepTotal > 0)) {
            throw new IllegalArgumentException("stepTotal=" + stepTotal + " must be > 0: the count of tokens or "
                    + "sequences of the whole optimiser step");
        }
        NDArray total = KlEstimators.scalar(loss, stepTotal);
        if (this == TOKEN_MEAN) {
            return loss.mul(mask).sum().div(total);
        }
        NDArray lengths = mask.sum(new int[] {1}).maximum(KlEstimators.scalar(loss, 1));
        return loss.mul(mask).sum(new int[] {1}).div(lengths).sum().div(total);
    }
}
