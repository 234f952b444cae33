/**
 * LoRA (Hu et al. 2021, arXiv 2106.09685) for {@link ai.redstar.core.model.CausalLm}, compatible with Hugging Face
 * PEFT. The entry class is {@link ai.redstar.train.lora.LoraAdapters}: {@code attach(model, LoraConfig)} installs
 * low-rank adapters on the chosen projections ({@link ai.redstar.train.lora.LoraTarget}) of every layer and freezes
 * the base model; {@code parameters()} gives the trainable arrays under PEFT's names for a trainer;
 * {@code savePeft}/{@code loadPeft} write and read PEFT's {@code adapter_config.json} + {@code
 * adapter_model.safetensors}; {@code mergeInto}/{@code saveMerged} fold the update into the base weights.
 */
package ai.redstar.train.lora;
