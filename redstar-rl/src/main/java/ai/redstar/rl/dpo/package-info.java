/** DPO's pieces: the sigmoid, IPO and hinge losses over sequence log-probs. */
package ai.redstar.rl.dpo;
