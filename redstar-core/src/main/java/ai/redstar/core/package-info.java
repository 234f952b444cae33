/**
 * The decoder and everything around it: {@link ai.redstar.core.model.CausalLm} (Qwen2/Llama on DJL's PyTorch
 * engine), Hugging Face checkpoints, chat templates, generation with a KV cache, records and JSONL.
 */
package ai.redstar.core;
