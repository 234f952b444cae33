/** PPO's pieces: generalised advantage estimation over masked responses. */
package ai.redstar.rl.ppo;
