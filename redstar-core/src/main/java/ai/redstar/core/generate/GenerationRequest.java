package ai.redstar.core.generate;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;

/**
 * One prompt, as token ids (and, for a vision-language model, its images), and how to sample its completions.
 *
 * <p>Immutable and thread-safe: the prompt array is copied in and out; images are copied in as float values.
 */
public final class GenerationRequest {
    private static final float[] NO_PIXELS = new float[0];

    private final int[] promptTokenIds;
    private final SamplingParams params;
    private final float[] pixelValues;
    private final long[] pixelShape;

    private GenerationRequest(int[] promptTokenIds, SamplingParams params, float[] pixelValues, long[] pixelShape) {
        this.promptTokenIds = promptTokenIds;
        this.params = params;
        this.pixelValues = pixelValues;
        this.pixelShape = pixelShape;
    }

    /**
     * A request to complete {@code promptTokenIds} (already tokenised, chat template applied, not padded).
     *
     * @throws IllegalArgumentException when the prompt is empty or holds a negative id
     */
    public static GenerationRequest of(int[] promptTokenIds, SamplingParams params) {
        Objects.requireNonNull(promptTokenIds, "promptTokenIds");
        Objects.requireNonNull(params, "params");
        if (promptTokenIds.length == 0) {
            throw new IllegalArgumentException("promptTokenIds is empty; a prompt needs at least one token");
        }
        for (int i = 0; i < promptTokenIds.length; i++) {
            if (promptTokenIds[i] < 0) {
                throw new IllegalArgumentException("promptTokenIds[" + i + "] is " + promptTokenIds[i]
                        + "; token ids are >= 0");
            }
        }
        return new GenerationRequest(promptTokenIds.clone(), params, NO_PIXELS, null);
    }

    /**
     * This request with images, for a generator built on a {@code VisionLm}: the prompt must hold the model's image
     * placeholder id {@code imageSeqLength} times per image, image {@code i} for the {@code i}-th run (checked by
     * {@link Generator#generate}).
     *
     * @param pixelValues {@code [numImages, channels, height, width]} float32, normalised as the model's preprocessor
     *     does; its values are copied, so the caller keeps ownership and may close it at once
     * @throws IllegalArgumentException when the array is not a non-empty 4-D float32 tensor
     * @throws IllegalStateException when this request already has images
     */
    public GenerationRequest withImages(NDArray pixelValues) {
        Objects.requireNonNull(pixelValues, "pixelValues");
        if (pixelShape != null) {
            throw new IllegalStateException("this request already has images; pass all of them in one call");
        }
        Shape shape = pixelValues.getShape();
        if (shape.dimension() != 4 || shape.get(0) == 0 || pixelValues.getDataType() != DataType.FLOAT32) {
            throw new IllegalArgumentException(String.format(Locale.ROOT, "pixelValues must be a [numImages >= 1,"
                    + " channels, height, width] float32 tensor, got shape %s of %s", shape,
                    pixelValues.getDataType()));
        }
        return new GenerationRequest(promptTokenIds, params, pixelValues.toFloatArray(), shape.getShape());
    }

    /** Number of images (0 for a text-only request). */
    public int imageCount() {
        return pixelShape == null ? 0 : (int) pixelShape[0];
    }

    /** The images' shape {@code [numImages, channels, height, width]}, or null for a text-only request. */
    public Shape imageShape() {
        return pixelShape == null ? null : new Shape(pixelShape);
    }

    float[] pixelView() {
        return pixelValues;
    }

    /** The prompt's token ids (a copy). */
    public int[] promptTokenIds() {
        return promptTokenIds.clone();
    }

    /** Number of prompt tokens. */
    public int promptLength() {
        return promptTokenIds.length;
    }

    int[] promptView() {
        return promptTokenIds;
    }

    public SamplingParams params() {
        return params;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof GenerationRequest r
                && Arrays.equals(promptTokenIds, r.promptTokenIds) && params.equals(r.params)
                && Arrays.equals(pixelShape, r.pixelShape) && Arrays.equals(pixelValues, r.pixelValues);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * Arrays.hashCode(promptTokenIds) + params.hashCode()) + Arrays.hashCode(pixelValues);
    }

    @Override
    public String toString() {
        return "GenerationRequest{promptLength=" + promptTokenIds.length + ", images=" + imageCount() + ", params="
                + params + "}";
    }
}
