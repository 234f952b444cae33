package ai.redstar.rl.reinforce;

import ai.redstar.rl.loss.KlEstimators;
import ai.redstar.rl.loss.MaskedTokens;
import ai.redstar.rl.loss.Trajectories;

/**
 * REINFORCE++ returns on plain arrays: per-token reward {@code −β·k1} plus the clipped score on the last valid response
 * position, then the discounted return {@code G_t = r_t + γ·G_{t+1}}. Stateless and thread-safe.
 */
public final class DiscountedReturns {
    private DiscountedReturns() {
    }

    /**
     * @param scores one sequence score per row (a baseline already subtracted when wanted)
     * @param logp sampling-time policy log-probs [batch][positions]
     * @param refLogp reference log-probs, same shape
     * @param mask valid response positions, same shape; a row without any valid position gets all-zero returns
     * @param klCoef β &gt;= 0
     * @param klClamp bound of each k1 estimate, or {@code Double.POSITIVE_INFINITY}
     * @param scoreClip scores clipped to [−scoreClip, scoreClip], or {@code Double.POSITIVE_INFINITY}
     * @param gamma discount in [0, 1]
     * @param masked how masked positions inside a response enter the recursion
     * @return returns per position, 0 where masked
     */
    public static double[][] compute(double[] scores, double[][] logp, double[][] refLogp, boolean[][] mask,
            double klCoef, double klClamp, double scoreClip, double gamma, MaskedTokens masked) {
        int b = scores.length;
        if (logp.length != b || refLogp.length != b || mask.length != b) {
            throw new IllegalArgumentException("scores, logp, refLogp and mask must have one row per response; got "
                    + b + ", " + logp.length + ", " + refLogp.length + ", " + mask.length);
        }
        double[][] out = new double[b][];
        for (int i = 0; i < b; i++) {
            double[] rewards = rewards(scores[i], logp[i], refLogp[i], mask[i], klCoef, klClamp, scoreClip, i);
            out[i] = Trajectories.gae(rewards, null, mask[i], gamma, 1.0, masked);
        }
        return out;
    }

    /** The per-token rewards of one row: −β·k1 on valid positions plus the clipped score on the last valid one. */
    static double[] rewards(double score, double[] logp, double[] refLogp, boolean[] mask, double klCoef,
            double klClamp, double scoreClip, int row) {
        Trajectories.checkRow(row, logp, refLogp, mask);
        double[] r = new double[mask.length];
        int last = -1;
        for (int t = 0; t < mask.length; t++) {
            if (mask[t]) {
                r[t] = -klCoef * KlEstimators.k1(logp[t], refLogp[t], klClamp);
                last = t;
            }
        }
        if (last >= 0) {
            r[last] += Math.max(-scoreClip, Math.min(scoreClip, score));
        }
        return r;
    }
}
