package ai.redstar.train;

import ai.redstar.core.model.CausalLm;
import java.util.Map;

/**
 * Task metrics computed on the model during training, e.g. the accuracy of generated answers on held-out problems.
 * Called on the training thread after the held-out loss, with the training mode hook switched off (no dropout) and
 * autograd recording off; the callback must not change the parameters.
 */
@FunctionalInterface
public interface EvalCallback {
    /**
     * Evaluates the model.
     *
     * @param model the model being trained
     * @param step optimiser steps done
     * @return metric name to value, written to the metrics file as {@code eval_<name>}; finite values
     */
    Map<String, Double> evaluate(CausalLm model, long step);
}
