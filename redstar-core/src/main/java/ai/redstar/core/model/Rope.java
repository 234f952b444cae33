package ai.redstar.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * Rotary position embeddings in Hugging Face's "rotate half" layout.
 *
 * <p>{@code inv_freq[i] = 1 / theta^(2i/d)} is computed in fp32 exactly as {@code LlamaRotaryEmbedding} does, then
 * divided by the linear scaling factor (Position Interpolation) when one is configured; the angle of position
 * {@code p} is {@code p · inv_freq} in fp32. Applying the embedding is {@code x·cos + rotate_half(x)·sin} with
 * {@code rotate_half(x) = cat(-x2, x1)}; this class folds the sign into the sine table
 * ({@code sinSigned = cat(-sin, sin)}) so that the rotation is {@code x·cos + cat(x2, x1)·sinSigned}, bit-identical;
 * {@code cat(x2, x1)} is one flip of the two halves.
 *
 * <p>Immutable; the frequency table belongs to the model's manager.
 */
final class Rope {
    private final int headDim;
    private final NDArray inverseFrequencies; // [headDim / 2] float32

    Rope(ModelConfig config, NDManager manager) {
        this.headDim = config.headDim();
        try (NDArray even = manager.arange(0, headDim, 2, DataType.INT64);
                NDArray evenFloat = even.toType(DataType.FLOAT32, false);
                NDArray exponent = evenFloat.div((float) headDim);
                NDArray base = manager.create((float) config.ropeTheta());
                NDArray power = base.pow(exponent);
                NDArray inverse = power.getNDArrayInternal().rdiv(1f)) {
            double factor = config.ropeScaling().map(RopeScaling::factor).orElse(1.0);
            this.inverseFrequencies = factor == 1.0 ? inverse.duplicate() : inverse.div((float) factor);
        }
    }

    /** The inverse frequencies {@code [headDim / 2]}, owned by the model. */
    NDArray inverseFrequencies() {
        return inverseFrequencies;
    }

    /**
     * The cosine and signed sine tables for {@code positions}.
     *
     * @param positions {@code [batch, seq]} int64
     * @return {@code {cos, sinSigned}}, each {@code [batch, seq, 1, headDim]} float32, in the positions' manager
     */
    NDArray[] tables(NDArray positions) {
        NDArray angles = positions.toType(DataType.FLOAT32, false).expandDims(2).mul(inverseFrequencies);
        NDArray cosHalf = angles.cos();
        NDArray sinHalf = angles.sin();
        NDArray cos = cosHalf.concat(cosHalf, 2).expandDims(2);
        NDArray sinSigned = sinHalf.neg().concat(sinHalf, 2).expandDims(2);
        return new NDArray[] {cos, sinSigned};
    }

    /**
     * Rotates {@code x} {@code [batch, seq, heads, headDim]} by the tables of {@link #tables}.
     *
     * @return a new {@code [batch, seq, heads, headDim]} array
     */
    NDArray apply(NDArray x, NDArray cos, NDArray sinSigned) {
        Shape shape = x.getShape();
        // cat(x2, x1) as one flip of the two halves: no slices, whose backward would zero-fill and copy x each.
        NDArray swapped = x.reshape(shape.get(0), shape.get(1), shape.get(2), 2, headDim / 2).flip(3).reshape(shape);
        return x.mul(cos).add(swapped.mul(sinSigned));
    }
}
