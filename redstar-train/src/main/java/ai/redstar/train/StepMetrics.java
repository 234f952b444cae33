package ai.redstar.train;

/**
 * What one optimiser step did; written as one line of {@code metrics.jsonl} and passed to the step listener.
 *
 * @param step 1-based optimiser step
 * @param epoch fractional epoch at the end of the step (1.5 = halfway through the second epoch)
 * @param loss mean cross-entropy per learned token over the whole step (all micro-batches), nats
 * @param learningRate the learning rate of the update
 * @param gradientNorm global L2 norm of the gradient before clipping
 * @param tokens real (non-padding) tokens in the step
 * @param lossTokens learned tokens in the step (the loss's denominator)
 * @param tokensPerSecond {@code tokens} divided by the step's wall time (data reading included)
 * @param elapsedSeconds training time since the start of the run, resumed runs included
 */
public record StepMetrics(long step, double epoch, double loss, double learningRate, double gradientNorm,
        long tokens, long lossTokens, double tokensPerSecond, double elapsedSeconds) {}
