package ai.redstar.rl.ppo;

import ai.redstar.rl.loss.MaskedTokens;
import ai.redstar.rl.loss.Trajectories;

/**
 * Generalised advantage estimation (Schulman et al. 2016) over a batch of masked responses, on plain arrays.
 * Stateless and thread-safe.
 */
public final class Gae {
    private Gae() {
    }

    /** Advantages and return targets (advantage + value) per response position; 0 where masked. */
    public record Result(double[][] advantages, double[][] returns) {
    }

    /**
     * @param rewards per-token rewards [batch][positions] (KL penalty, score on the last valid token)
     * @param values critic values at rollout time, same shape
     * @param mask valid response positions, same shape
     * @param gamma discount in [0, 1]
     * @param lambda GAE λ in [0, 1]
     * @param masked how masked positions inside a response enter the recursion
     */
    public static Result compute(double[][] rewards, double[][] values, boolean[][] mask, double gamma, double lambda,
            MaskedTokens masked) {
        int b = rewards.length;
        double[][] adv = new double[b][];
        double[][] ret = new double[b][];
        for (int i = 0; i < b; i++) {
            Trajectories.checkRow(i, rewards[i], values[i], mask[i]);
            adv[i] = Trajectories.gae(rewards[i], values[i], mask[i], gamma, lambda, masked);
            ret[i] = new double[adv[i].length];
            for (int t = 0; t < adv[i].length; t++) {
                ret[i][t] = mask[i][t] ? adv[i][t] + values[i][t] : 0;
            }
        }
        return new Result(adv, ret);
    }
}
