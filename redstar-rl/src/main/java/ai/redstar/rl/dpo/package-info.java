/**
 * DPO's pieces: the sigmoid, IPO and hinge losses over sequence log-probs, and preference pairs read from TRL
 * JSONL.
 */
package ai.redstar.rl.dpo;
