package ai.redstar.rl.dpo;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.redstar.rl.Dpo;

/**
 * The DPO loss over summed sequence log-probs, computed stably: {@code −log σ(x)} is evaluated as
 * {@code softplus(−x) = max(−x, 0) + log(1 + e^(−|x|))}, finite for any finite x. Stateless and thread-safe.
 */
public final class DpoLoss {
    private DpoLoss() {
    }

    /**
     * @param loss per-pair loss [pairs] (mean it for the step)
     * @param chosenRewards β·(log πc − log refc) [pairs]
     * @param rejectedRewards β·(log πr − log refr) [pairs]
     */
    public record Result(NDArray loss, NDArray chosenRewards, NDArray rejectedRewards) {
    }

    /**
     * @param config the strategy (β, loss kind, label smoothing)
     * @param chosen policy log-probs of the chosen responses, summed over response tokens, [pairs]; gradients flow
     * @param rejected same for the rejected responses
     * @param refChosen reference log-probs of the chosen responses, constants
     * @param refRejected reference log-probs of the rejected responses, constants
     * @return tensors in {@code chosen}'s manager
     */
    public static Result compute(Dpo config, NDArray chosen, NDArray rejected, NDArray refChosen,
            NDArray refRejected) {
        NDArray beta = scalar(chosen, config.beta());
        NDArray chosenLogRatio = chosen.sub(refChosen);
        NDArray rejectedLogRatio = rejected.sub(refRejected);
        NDArray z = chosenLogRatio.sub(rejectedLogRatio);
        NDArray loss = switch (config.loss()) {
            case SIGMOID -> {
                NDArray x = z.mul(beta);
                double eps = config.labelSmoothing();
                NDArray l = negLogSigmoid(x).mul(scalar(chosen, 1 - eps));
                yield eps == 0 ? l : l.add(negLogSigmoid(x.neg()).mul(scalar(chosen, eps)));
            }
            case IPO -> z.sub(scalar(chosen, 1 / (2 * config.beta()))).square();
            case HINGE -> scalar(chosen, 1).sub(z.mul(beta)).maximum(scalar(chosen, 0));
        };
        return new Result(loss, chosenLogRatio.mul(beta), rejectedLogRatio.mul(beta));
    }

    /** {@code −log σ(x) = softplus(−x)}, stable for large |x|. */
    static NDArray negLogSigmoid(NDArray x) {
        NDArray negX = x.neg();
        return negX.maximum(scalar(x, 0)).add(x.abs().neg().exp().add(scalar(x, 1)).log());
    }

    private static NDArray scalar(NDArray like, double v) {
        return like.getManager().full(new Shape(), (float) v, DataType.FLOAT32);
    }
}
