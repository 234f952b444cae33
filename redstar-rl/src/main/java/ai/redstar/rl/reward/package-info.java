/** Rule-based rewards: correctness from {@code RuleVerifier}, format bonus, overlong penalty, composable. */
package ai.redstar.rl.reward;
