/** REINFORCE++'s pieces: discounted returns with the k1 KL in the reward, and batch-wide whitening. */
package ai.redstar.rl.reinforce;
