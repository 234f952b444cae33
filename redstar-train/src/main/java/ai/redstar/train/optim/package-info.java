/**
 * Optimisation pieces shared by the trainers: {@link ai.redstar.train.optim.AdamW} with PyTorch's exact semantics and
 * no-decay groups, {@link ai.redstar.train.optim.LrSchedule} (linear warmup then cosine decay to a floor) and
 * {@link ai.redstar.train.optim.Gradients} (global-norm clipping, zeroing).
 *
 * <p>DJL's own {@code Optimizer.adamW()} applies one weight decay to every parameter and scales epsilon differently
 * from {@code torch.optim.AdamW}, and its {@code clipGrad} clips element by element; these classes replace them.
 */
package ai.redstar.train.optim;
