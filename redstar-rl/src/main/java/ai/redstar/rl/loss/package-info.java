/**
 * Pieces shared by the policy-gradient strategies: the clipped policy loss, the clipped value loss, the KL estimators,
 * the loss aggregation over an optimiser step and the variance estimator choice.
 */
package ai.redstar.rl.loss;
