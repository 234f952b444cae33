package ai.redstar.rl;

/**
 * Proximal policy optimisation with a value head (critic), GAE and the reference KL penalty (k1, per token) inside
 * the reward; the sequence score is added on the last response token.
 *
 * @param clip policy ratio clip ε, in (0, 1) (0.2 is usual)
 * @param dualClip dual-clip constant c &gt; 1 bounding the loss of negative advantages (Ye et al.), or 0 for off
 * @param valueClip clip range of the value update around the old values, finite and &gt; 0
 * @param valueCoef weight of the value loss, finite and &gt;= 0
 * @param gamma discount in [0, 1]
 * @param lambda GAE λ in [0, 1]
 * @param klCoef initial KL coefficient β, finite and &gt;= 0
 * @param klTarget target KL per sequence of the adaptive controller (Ziegler et al.), or 0 for a fixed coefficient
 */
public record Ppo(double clip, double dualClip, double valueClip, double valueCoef, double gamma, double lambda,
        double klCoef, double klTarget) implements RlStrategy {

    /** Validates every parameter and reports all problems in one {@link IllegalArgumentException}. */
    public Ppo {
        RlStrategy.Problems p = new RlStrategy.Problems("Ppo");
        p.check(clip > 0 && clip < 1, "clip", clip, "must lie in (0, 1)");
        p.check(dualClip == 0 || (Double.isFinite(dualClip) && dualClip > 1), "dualClip", dualClip,
                "must be 0 (off) or finite and > 1");
        p.positiveFinite("valueClip", valueClip);
        p.nonNegativeFinite("valueCoef", valueCoef);
        p.unitInterval("gamma", gamma);
        p.unitInterval("lambda", lambda);
        p.nonNegativeFinite("klCoef", klCoef);
        p.nonNegativeFinite("klTarget", klTarget);
        p.throwIfAny();
    }

    /** clip 0.2, no dual clip, value clip 0.2, value weight 0.5, γ 1, λ 0.95, fixed KL coefficient 0.01. */
    public static Ppo defaults() {
        return new Ppo(0.2, 0, 0.2, 0.5, 1.0, 0.95, 0.01, 0);
    }
}
