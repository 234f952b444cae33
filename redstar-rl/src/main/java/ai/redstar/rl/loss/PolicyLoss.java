package ai.redstar.rl.loss;

import ai.djl.ndarray.NDArray;

/**
 * The PPO clipped surrogate per token, shared by PPO, REINFORCE++ and GRPO. Stateless and thread-safe.
 *
 * <p>{@code ρ = exp(logp − oldLogp)}; {@code loss = max(−A·ρ, −A·clip(ρ, 1−ε, 1+ε))}; with dual clip c &gt; 1 the loss
 * of a negative advantage is further bounded by {@code −A·c} (Ye et al. 2020; OpenRLHF and verl differ on whether it
 * is on by default, here it is an explicit parameter).
 */
public final class PolicyLoss {
    private PolicyLoss() {
    }

    /** Per-token loss and the per-token indicator of a clipped ratio (for the clip-fraction metric). */
    public record Result(NDArray loss, NDArray clipped) {
    }

    /**
     * @param logp current log-probs of the sampled tokens [batch, tokens] (gradients flow here)
     * @param oldLogp log-probs at sampling time, same shape, constants
     * @param advantages same shape, constants
     * @param clip ε in (0, 1)
     * @param dualClip c &gt; 1, or 0 for off
     * @return per-token loss and clipped indicator (1 where the clipped branch was taken), in {@code logp}'s manager
     */
    public static Result clipped(NDArray logp, NDArray oldLogp, NDArray advantages, double clip, double dualClip) {
        NDArray ratio = logp.sub(oldLogp).exp();
        NDArray negAdv = advantages.neg();
        NDArray l1 = negAdv.mul(ratio);
        NDArray clippedRatio = ratio.minimum(KlEstimators.scalar(logp, 1 + clip))
                .maximum(KlEstimators.scalar(logp, 1 - clip));
        NDArray l2 = negAdv.mul(clippedRatio);
        NDArray loss = l1.maximum(l2);
        NDArray clipped = l2.gt(l1).toType(ai.djl.ndarray.types.DataType.FLOAT32, false);
        if (dualClip > 0) {
            NDArray bound = negAdv.mul(KlEstimators.scalar(logp, dualClip));
            NDArray negative = advantages.lt(KlEstimators.scalar(logp, 0));
            loss = ai.djl.ndarray.NDArrays.where(negative, loss.minimum(bound), loss);
        }
        return new Result(loss, clipped);
    }

    /**
     * The clipped value loss {@code ½·max((V − R)², (V_old + clip(V − V_old, −c, c) − R)²)} per token.
     *
     * @param values current values [batch, tokens] (gradients flow here)
     * @param oldValues values at rollout time, constants
     * @param returns return targets, constants
     * @param valueClip c &gt; 0
     */
    public static NDArray value(NDArray values, NDArray oldValues, NDArray returns, double valueClip) {
        NDArray delta = values.sub(oldValues).minimum(KlEstimators.scalar(values, valueClip))
                .maximum(KlEstimators.scalar(values, -valueClip));
        NDArray clippedValues = oldValues.add(delta);
        NDArray a = values.sub(returns).square();
        NDArray b = clippedValues.sub(returns).square();
        return a.maximum(b).mul(KlEstimators.scalar(values, 0.5));
    }
}
