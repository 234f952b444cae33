package ai.redstar.rl;

import ai.redstar.rl.loss.Variance;

/**
 * Group relative policy optimisation (Shao et al.): advantages relative to the other samples of the same prompt,
 * k3 KL to the reference as a loss term, PPO-style clipped loss. Groups whose rewards are all equal carry no signal;
 * they are filtered out and counted.
 *
 * @param clip policy ratio clip ε, in (0, 1)
 * @param klCoef weight of the k3 KL loss term, finite and &gt;= 0
 * @param scaleByStd divide by the group's standard deviation plus {@code epsilon}; false gives Dr. GRPO (Liu et al.)
 * @param epsilon added to the standard deviation, finite and &gt; 0
 * @param variance the variance behind the standard deviation (TRL: unbiased)
 */
public record Grpo(double clip, double klCoef, boolean scaleByStd, double epsilon, Variance variance)
        implements RlStrategy {

    /** Validates every parameter and reports all problems in one {@link IllegalArgumentException}. */
    public Grpo {
        RlStrategy.Problems p = new RlStrategy.Problems("Grpo");
        p.check(clip > 0 && clip < 1, "clip", clip, "must lie in (0, 1)");
        p.nonNegativeFinite("klCoef", klCoef);
        p.positiveFinite("epsilon", epsilon);
        p.notNull("variance", variance);
        p.throwIfAny();
    }

    /** clip 0.2, k3 weight 0.04, scaled by std with ε 1e-4, unbiased variance. */
    public static Grpo defaults() {
        return new Grpo(0.2, 0.04, true, 1e-4, Variance.UNBIASED);
    }
}
