/**
 * Supervised fine-tuning: {@code SftTrainer} with packing, AdamW, warmup + cosine, exact resume, Position
 * Interpolation and LoRA.
 */
package ai.redstar.train;
