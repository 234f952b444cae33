/**
 * The decoder: {@link ai.redstar.core.model.CausalLm}, a Qwen2/Llama causal language model written in plain DJL
 * NDArray operations with the semantics of Hugging Face transformers, trainable through DJL autograd.
 *
 * <p>Around it: {@link ai.redstar.core.model.ModelConfig} ({@code config.json}), {@link ai.redstar.core.model.KvCache}
 * (incremental decoding), {@link ai.redstar.core.model.AttentionMasks} (segment ids and positions for padded and packed
 * batches) and two seams, {@link ai.redstar.core.model.AttentionKernel} (how attention is computed) and
 * {@link ai.redstar.core.model.LinearAdapter} (LoRA and other additive updates of a projection).
 */
package ai.redstar.core.model;
