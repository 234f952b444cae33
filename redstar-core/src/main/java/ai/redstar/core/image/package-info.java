/**
 * Image loading and preprocessing for vision-language models, reproducing Hugging Face image processors (their PIL
 * backend) exactly: {@link ai.redstar.core.image.ImageProcessor} is the entry point.
 *
 * <p>{@link ai.redstar.core.image.PreprocessorConfig} reads and writes {@code preprocessor_config.json}
 * (CLIP, SigLIP and LLaVA processor types, {@link ai.redstar.core.image.ResizeTarget},
 * {@link ai.redstar.core.image.Resample}); {@link ai.redstar.core.image.ImageProcessor} decodes PNG and JPEG,
 * converts to RGB, pads to a square (LLaVA), resizes as Pillow 9.4 does bit for bit, centre crops, rescales and
 * normalises into a {@link ai.redstar.core.image.PixelBatch} {@code [n, 3, H, W]} float32, as an array or an NDArray
 * on the caller's manager. Unreadable files raise {@link ai.redstar.core.image.ImageReadException} naming the path.
 */
package ai.redstar.core.image;
