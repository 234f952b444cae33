package ai.redstar.core.generate;

/** Why a completion ended. */
public enum FinishReason {
    /** It sampled one of the stop token ids (usually EOS); that token is the completion's last. */
    STOP_TOKEN,
    /** Its decoded text came to contain one of the stop strings; {@link Completion#stopString()} says which. */
    STOP_STRING,
    /**
     * It reached {@link SamplingParams#maxNewTokens()}, or the model's {@code max_position_embeddings} (prompt plus
     * completion), without stopping.
     */
    LENGTH
}
