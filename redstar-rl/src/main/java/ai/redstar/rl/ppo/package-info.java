/** PPO's pieces: generalised advantage estimation over masked responses and the value head (critic). */
package ai.redstar.rl.ppo;
