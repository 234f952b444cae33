package ai.redstar.core.checkpoint;

import ai.djl.ndarray.types.Shape;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Where one tensor lives in a safetensors file, as declared (and validated) by the file's header.
 *
 * @param name the tensor name, e.g. {@code model.layers.0.self_attn.q_proj.weight}
 * @param dtype the element type in the file
 * @param shape the shape ({@code ()} for a 0-d scalar; dimensions may be 0)
 * @param file the safetensors file holding the data
 * @param offset absolute byte offset of the first element in {@code file} (header included)
 * @param length length of the data in bytes, {@code shape.size() * dtype.byteSize()}
 */
public record TensorInfo(String name, TensorDtype dtype, Shape shape, Path file, long offset, long length) {
    public TensorInfo {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(dtype, "dtype");
        Objects.requireNonNull(shape, "shape");
        Objects.requireNonNull(file, "file");
    }

    /** Number of elements, the product of the shape (1 for a 0-d scalar). */
    public long elementCount() {
        return length / dtype.byteSize();
    }
}
