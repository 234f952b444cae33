package ai.redstar.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/**
 * The reference {@link AttentionKernel} in plain DJL operations: two batched matrix products and a softmax, exactly
 * Hugging Face's eager attention. Grouped-query attention is computed without copying keys and values: the
 * {@code heads / kvHeads} query heads that share a key/value head are stacked along the query axis.
 *
 * <p>Stateless and thread-safe.
 */
public final class PlainAttention implements AttentionKernel {
    /** The shared instance; {@link CausalLm}'s default kernel. */
    public static final PlainAttention INSTANCE = new PlainAttention();

    private PlainAttention() {}

    @Override
    public NDArray attend(NDArray q, NDArray k, NDArray v, NDArray bias, float scale) {
        Shape qs = q.getShape();
        Shape ks = k.getShape();
        long batch = qs.get(0);
        long heads = qs.get(1);
        long sq = qs.get(2);
        long headDim = qs.get(3);
        long kvHeads = ks.get(1);
        long sk = ks.get(2);
        long group = heads / kvHeads;
        // Query head h = g·group + r sits at row r·sq + i of group g: [b, kvHeads, group·sq, d].
        NDArray grouped = q.mul(scale).reshape(batch, kvHeads, group * sq, headDim);
        NDArray scores = grouped.matMul(k.transpose(0, 1, 3, 2))
                .reshape(batch, kvHeads, group, sq, sk)
                .add(bias.reshape(batch, 1, 1, sq, sk));
        NDArray probabilities = scores.softmax(4).reshape(batch, kvHeads, group * sq, sk);
        return probabilities.matMul(v).reshape(batch, heads, sq, headDim);
    }

    @Override
    public String toString() {
        return "PlainAttention";
    }
}
