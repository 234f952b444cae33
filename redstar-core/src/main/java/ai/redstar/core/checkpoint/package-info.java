/**
 * Hugging Face checkpoint I/O: {@link ai.redstar.core.checkpoint.Checkpoint} reads and writes model folders
 * ({@code model.safetensors} or shards with {@code model.safetensors.index.json}) and
 * {@link ai.redstar.core.checkpoint.GenerationConfig} reads and writes {@code generation_config.json};
 * {@link ai.redstar.core.checkpoint.SafetensorsFile} reads one safetensors file lazily (memory-mapped per tensor,
 * BF16/F16 widened in Java, files over 2 GiB); {@link ai.redstar.core.checkpoint.Safetensors} writes one.
 * Every corrupt or mismatched input gives a {@link ai.redstar.core.checkpoint.CheckpointException} naming the file
 * and tensor.
 */
package ai.redstar.core.checkpoint;
