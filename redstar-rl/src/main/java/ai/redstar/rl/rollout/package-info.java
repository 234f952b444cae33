/** Rollouts: sampling responses and recomputing their log-probs under a position mask. */
package ai.redstar.rl.rollout;
