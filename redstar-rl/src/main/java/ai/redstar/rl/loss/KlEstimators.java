package ai.redstar.rl.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * Per-token estimators of KL(π ‖ π_ref) from the sampled tokens' log-probs (Schulman, "Approximating KL divergence").
 * With {@code r = log π_ref − log π}: k1 = −r, k3 = e^r − r − 1 (never negative, unbiased, low variance).
 * An optional clamp bounds each estimate (verl clamps k3 to [−10, 10]); {@code Double.POSITIVE_INFINITY} for none.
 * Stateless and thread-safe.
 */
public final class KlEstimators {
    private KlEstimators() {
    }

    /** k1 = log π − log π_ref, clamped to [−clamp, clamp]. */
    public static double k1(double logp, double refLogp, double clamp) {
        return clamp(logp - refLogp, clamp);
    }

    /** k3 = e^(ref−logp) − (ref−logp) − 1, clamped to [−clamp, clamp]. */
    public static double k3(double logp, double refLogp, double clamp) {
        double r = refLogp - logp;
        return clamp(Math.expm1(r) - r, clamp);
    }

    /**
     * k3 as a differentiable tensor, element-wise; gradients flow into {@code logp}. The result belongs to
     * {@code logp}'s manager.
     *
     * @param logp policy log-probs, any shape
     * @param refLogp reference log-probs, same shape (treated as constants by the caller)
     * @param clamp bound of the estimate, or {@code Double.POSITIVE_INFINITY}
     */
    public static NDArray k3(NDArray logp, NDArray refLogp, double clamp) {
        NDArray r = refLogp.sub(logp);
        NDArray one = scalar(logp, 1);
        NDArray k3 = r.exp().sub(r).sub(one);
        if (Double.isInfinite(clamp)) {
            return k3;
        }
        return k3.minimum(scalar(logp, clamp)).maximum(scalar(logp, -clamp));
    }

    private static double clamp(double v, double clamp) {
        return Math.max(-clamp, Math.min(clamp, v));
    }

    /** A float32 scalar owned by libtorch (never a Java-number overload on tensors that need gradients). */
    static NDArray scalar(NDArray like, double v) {
        return like.getManager().full(new Shape(), (float) v, DataType.FLOAT32);
    }
}
