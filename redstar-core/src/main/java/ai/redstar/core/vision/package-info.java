/**
 * Vision-language models in the LLaVA form Hugging Face uses: {@link ai.redstar.core.vision.VisionLm} (a CLIP or
 * SigLIP vision encoder, the two-layer projector and the {@link ai.redstar.core.model.CausalLm} decoder; llava-hf
 * folders in and out), its configuration {@link ai.redstar.core.vision.VisionLmConfig} ({@code config.json} with
 * {@link ai.redstar.core.vision.VisionEncoderConfig vision_config} and {@code text_config}) and the variants
 * {@link ai.redstar.core.vision.VisionEncoderType}, {@link ai.redstar.core.vision.FeatureSelectStrategy} and
 * {@link ai.redstar.core.vision.VisionActivation}. Prompts carry the image placeholder id expanded to
 * {@code imageSeqLength()} tokens per image; pixel values arrive normalised (see {@code ai.redstar.core.image}).
 */
package ai.redstar.core.vision;
