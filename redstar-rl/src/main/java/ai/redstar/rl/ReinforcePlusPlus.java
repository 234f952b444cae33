package ai.redstar.rl;

import ai.redstar.rl.loss.Variance;

/**
 * REINFORCE++ (Hu, arXiv 2501.03262): no critic; per-token k1 KL penalty in the reward, clipped score on the last
 * response token, discounted return, advantages whitened over all valid tokens of the rollout batch, PPO-style clipped
 * loss.
 *
 * @param clip policy ratio clip ε, in (0, 1)
 * @param klCoef KL coefficient β, finite and &gt;= 0
 * @param gamma discount in [0, 1]
 * @param scoreClip scores are clipped to [−scoreClip, scoreClip]; {@code Double.POSITIVE_INFINITY} for off; &gt; 0
 * @param variance the variance used for whitening (OpenRLHF: population; verl: unbiased)
 * @param groupBaseline subtract the mean score of the prompt's group from each score before the return (the
 *     "REINFORCE++-baseline" variant)
 */
public record ReinforcePlusPlus(double clip, double klCoef, double gamma, double scoreClip, Variance variance,
        boolean groupBaseline) implements RlStrategy {

    /** Validates every parameter and reports all problems in one {@link IllegalArgumentException}. */
    public ReinforcePlusPlus {
        RlStrategy.Problems p = new RlStrategy.Problems("ReinforcePlusPlus");
        p.check(clip > 0 && clip < 1, "clip", clip, "must lie in (0, 1)");
        p.nonNegativeFinite("klCoef", klCoef);
        p.unitInterval("gamma", gamma);
        p.check(scoreClip > 0, "scoreClip", scoreClip, "must be > 0 (POSITIVE_INFINITY for off)");
        p.notNull("variance", variance);
        p.throwIfAny();
    }

    /** clip 0.2, β 0.01, γ 1, score clip 10, population variance, no group baseline. */
    public static ReinforcePlusPlus defaults() {
        return new ReinforcePlusPlus(0.2, 0.01, 1.0, 10, Variance.POPULATION, false);
    }
}
