/** GRPO's pieces: group-relative advantages with zero-variance groups filtered and counted. */
package ai.redstar.rl.grpo;
