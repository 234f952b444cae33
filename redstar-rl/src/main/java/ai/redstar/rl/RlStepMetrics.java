package ai.redstar.rl;

/**
 * What one RL step measured (one line of {@code metrics.jsonl}).
 *
 * @param step 1-based step
 * @param rewardMean mean reward over the step's responses
 * @param accuracy share of responses whose reward is &gt; 0
 * @param kl mean k3 KL estimate of the sampling policy from the reference per response token (0 without reference)
 * @param clipFraction share of response tokens whose ratio was clipped, over all updates of the step
 * @param loss mean policy loss over the step's updates
 * @param responseLengthMean mean response length in tokens (EOS included)
 * @param responseLengthMax longest response
 * @param zeroVarianceShare share of prompts whose samples all got the same reward
 * @param gradientNorm global gradient norm of the last update, before clipping
 * @param seconds wall time of the step
 * @param valueLoss mean clipped value loss over the step's updates (PPO; 0 otherwise)
 * @param entropy mean entropy in nats of the sampling policy (at the sampling temperature) over the step's response
 *     tokens, from the no-gradient log-prob pass; in [0, log(vocab)]
 * @param generationSeconds wall seconds of sampling the step's responses
 * @param scoringSeconds wall seconds of the rewards and the no-gradient old and reference log-prob passes
 * @param trainingSeconds wall seconds of advantages and the clipped updates
 */
public record RlStepMetrics(long step, double rewardMean, double accuracy, double kl, double clipFraction,
        double loss, double responseLengthMean, int responseLengthMax, double zeroVarianceShare, double gradientNorm,
        double seconds, double valueLoss, double entropy, double generationSeconds, double scoringSeconds,
        double trainingSeconds) {
}
