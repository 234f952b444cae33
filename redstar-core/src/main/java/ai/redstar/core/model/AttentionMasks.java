package ai.redstar.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.Locale;

/**
 * Attention masks and position ids for padded and packed batches.
 *
 * <p>One rule covers padding and packing: every token carries a <em>segment id</em>; {@code 0} marks padding and
 * documents are numbered {@code 1, 2, 3, ...}. The token at sequence index {@code i} attends the token at index
 * {@code j} iff {@code segment[j] == segment[i]} and {@code j <= i}, indices counted over cached and new tokens. A
 * Hugging Face {@code attention_mask} of 0/1 is a valid segment tensor as it is; a packed row gives each document its
 * own segment (and restarts its positions). Padding tokens attend earlier padding tokens only, so every row of scores
 * has at least one allowed entry and stays finite.
 */
public final class AttentionMasks {
    /**
     * The additive bias of a masked score: large, negative and finite, so that a softmax over a masked row never
     * produces NaN (unlike {@code -inf}) while a masked entry's probability is exactly zero in fp32.
     */
    public static final float MASKED = -1e9f;

    private AttentionMasks() {}

    /**
     * Position ids for a left-padded batch: {@code cumsum(mask) - 1} along the sequence, clamped at 0, so the first
     * real token of each row has position 0 and padding has position 0 (Hugging Face's {@code generate} puts 1 there;
     * padding positions never influence real tokens).
     *
     * @param mask {@code [batch, seq]} of 0/1 (any integer type or boolean); owned by the caller
     * @return {@code [batch, seq]} int64, a new array in {@code mask}'s manager
     * @throws IllegalArgumentException when {@code mask} is not two-dimensional or not integer/boolean
     */
    public static NDArray positionsFromPaddingMask(NDArray mask) {
        Shape shape = mask.getShape();
        DataType type = mask.getDataType();
        if (shape.dimension() != 2 || !(type.isInteger() || type == DataType.BOOLEAN)) {
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                    "padding mask must be [batch, seq] of 0/1 integers, got shape %s of %s", shape, type));
        }
        try (NDArray asLong = mask.toType(DataType.INT64, true);
                NDArray sums = asLong.cumSum(1);
                NDArray minusOne = sums.sub(1)) {
            return minusOne.maximum(0);
        }
    }

    /**
     * The additive attention bias of the segment rule for {@code sq} new tokens following {@code queryOffset} cached
     * ones.
     *
     * @param querySegments {@code [batch, sq]} int64 segment ids of the new tokens
     * @param keySegments {@code [batch, sk]} int64 segment ids of cached and new tokens ({@code sk = queryOffset + sq})
     * @param queryOffset the sequence index of the first new token (the number of cached tokens)
     * @return {@code [batch, 1, sq, sk]} float32 with {@code 0} where attention is allowed and {@link #MASKED}
     *     elsewhere, a new array in {@code querySegments}' manager
     */
    public static NDArray causalSegmentBias(NDArray querySegments, NDArray keySegments, long queryOffset) {
        long batch = querySegments.getShape().get(0);
        long sq = querySegments.getShape().get(1);
        long sk = keySegments.getShape().get(1);
        if (keySegments.getShape().get(0) != batch || sk != queryOffset + sq) {
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                    "key segments %s do not extend query segments %s after %d cached tokens",
                    keySegments.getShape(), querySegments.getShape(), queryOffset));
        }
        NDManager m = querySegments.getManager();
        try (NDArray keyRow = keySegments.reshape(batch, 1, sk);
                NDArray queryColumn = querySegments.reshape(batch, sq, 1);
                NDArray sameSegment = keyRow.eq(queryColumn);
                NDArray keyRange = m.arange(0, (int) sk, 1, DataType.INT64);
                NDArray keyIndex = keyRange.reshape(1, 1, sk);
                NDArray queryRange = m.arange((int) queryOffset, (int) (queryOffset + sq), 1, DataType.INT64);
                NDArray queryIndex = queryRange.reshape(1, sq, 1);
                NDArray causal = keyIndex.lte(queryIndex);
                NDArray allowed = sameSegment.logicalAnd(causal);
                NDArray ones = allowed.toType(DataType.FLOAT32, false);
                NDArray zeroOrMinusOne = ones.sub(1f);
                NDArray bias = zeroOrMinusOne.mul(-MASKED)) {
            return bias.reshape(batch, 1, sq, sk);
        }
    }
}
