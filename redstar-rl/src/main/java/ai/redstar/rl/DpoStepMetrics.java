package ai.redstar.rl;

/**
 * What one DPO step measured (one line of {@code metrics.jsonl}); log-probs are summed over response tokens, rewards
 * are the implicit rewards β·(log π − log ref).
 *
 * @param step 1-based step
 * @param loss mean DPO loss over the step's pairs
 * @param rewardMargin mean of chosen reward − rejected reward
 * @param accuracy share of pairs whose chosen reward exceeds the rejected one
 * @param chosenReward mean implicit reward of the chosen responses
 * @param rejectedReward mean implicit reward of the rejected responses
 * @param chosenLogProb mean policy log-prob of the chosen responses (nats, summed over tokens)
 * @param rejectedLogProb mean policy log-prob of the rejected responses
 * @param gradientNorm global gradient norm before clipping
 * @param seconds wall time of the step
 */
public record DpoStepMetrics(long step, double loss, double rewardMargin, double accuracy, double chosenReward,
        double rejectedReward, double chosenLogProb, double rejectedLogProb, double gradientNorm, double seconds) {
}
