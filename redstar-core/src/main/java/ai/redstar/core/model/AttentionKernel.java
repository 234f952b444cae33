package ai.redstar.core.model;

import ai.djl.ndarray.NDArray;

/**
 * How scaled dot-product attention is computed: the seam where a fused kernel (for example
 * {@code torch.scaled_dot_product_attention} inside TorchScript) can replace {@link PlainAttention}, the plain-DJL
 * reference every other kernel must match.
 *
 * <p>The kernel implements {@code softmax(q·kᵀ·scale + bias)·v} per head, with grouped-query attention: query head
 * {@code h} uses key/value head {@code h / (heads / kvHeads)}, as Hugging Face's {@code repeat_kv} does. It must be
 * differentiable through DJL autograd when used for training.
 *
 * <p>The bias is always causal: query row {@code i} sits at key index {@code sk - sq + i} and never attends a key after
 * it, so a kernel may skip those keys (their probability is exactly zero).
 *
 * <p>{@link #attend} runs inside the model's per-call {@link ai.djl.ndarray.NDScope}: arrays it creates are closed when
 * the forward pass returns, so a kernel keeps no arrays between calls unless it unregisters them.
 */
@FunctionalInterface
public interface AttentionKernel {
    /**
     * Attention of {@code q} over {@code k}/{@code v}.
     *
     * @param q queries {@code [batch, heads, sq, headDim]} float32 (rotary embeddings applied)
     * @param k keys {@code [batch, kvHeads, sk, headDim]} float32 (rotary embeddings applied)
     * @param v values {@code [batch, kvHeads, sk, headDim]} float32
     * @param bias additive bias {@code [batch, 1, sq, sk]} float32: {@code 0} where a query may attend a key,
     *     {@link AttentionMasks#MASKED} (a large finite negative) where it may not; every query row allows at least
     *     one key (itself), see {@link AttentionMasks#causalSegmentBias}
     * @param scale the factor applied to {@code q·kᵀ}, {@code 1/sqrt(headDim)}
     * @return {@code [batch, heads, sq, headDim]} float32, a new array; all arrays belong to the caller's scope
     */
    NDArray attend(NDArray q, NDArray k, NDArray v, NDArray bias, float scale);
}
