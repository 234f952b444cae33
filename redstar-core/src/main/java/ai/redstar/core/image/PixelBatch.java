package ai.redstar.core.image;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Objects;

/**
 * Preprocessed pixel values of {@code count} images, {@code [count, 3, height, width]} float32, channels first
 * (R, G, B), rows top to bottom: what transformers returns as {@code pixel_values}.
 *
 * <p>Immutable and thread-safe (the values are copied in and out).
 */
public final class PixelBatch {
    private final float[] values;
    private final int count;
    private final int height;
    private final int width;

    PixelBatch(float[] values, int count, int height, int width) {
        if (values.length != (long) count * 3 * height * width) {
            throw new IllegalArgumentException("pixel values have " + values.length + " floats, expected "
                    + count + "x3x" + height + "x" + width);
        }
        this.values = values;
        this.count = count;
        this.height = height;
        this.width = width;
    }

    /** Number of images. */
    public int count() {
        return count;
    }

    /** Rows of every image. */
    public int height() {
        return height;
    }

    /** Columns of every image. */
    public int width() {
        return width;
    }

    /** {@code [count, 3, height, width]}. */
    public Shape shape() {
        return new Shape(count, 3, height, width);
    }

    /** A copy of the values, {@code [count, 3, height, width]} in row-major order. */
    public float[] toFloatArray() {
        return values.clone();
    }

    /** Value of image {@code n}, channel {@code c}, row {@code y}, column {@code x}. */
    public float get(int n, int c, int y, int x) {
        Objects.checkIndex(n, count);
        Objects.checkIndex(c, 3);
        Objects.checkIndex(y, height);
        Objects.checkIndex(x, width);
        return values[((n * 3 + c) * height + y) * width + x];
    }

    /**
     * The values as a float32 NDArray of shape {@code [count, 3, height, width]} on {@code manager}; the caller's
     * manager owns it (close the manager or the array to free it).
     */
    public NDArray toNDArray(NDManager manager) {
        return manager.create(values, shape());
    }
}
