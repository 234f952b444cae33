/**
 * Reinforcement learning from rule-based rewards: {@code RlTrainer} with the strategies {@code Dpo}, {@code Ppo},
 * {@code ReinforcePlusPlus} and {@code Grpo}.
 */
package ai.redstar.rl;
