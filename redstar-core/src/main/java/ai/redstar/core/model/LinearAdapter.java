package ai.redstar.core.model;

import ai.djl.ndarray.NDArray;

/**
 * An additive update of one linear projection of a {@link CausalLm}: once installed with
 * {@link CausalLm#setAdapter(String, LinearAdapter)}, that projection computes {@code x·Wᵀ + b + delta(x)}.
 * LoRA is the canonical implementation ({@code delta(x) = (α/r)·(x·Aᵀ)·Bᵀ}).
 *
 * <p>Implementations own their parameters; gradients reach them through the same autograd graph as the model's.
 * {@link #delta} runs inside the model's per-call {@link ai.djl.ndarray.NDScope}: every array it creates is closed when
 * the forward pass returns, so parameters must be created beforehand (or removed from the scope with
 * {@code NDScope.unregister}).
 */
@FunctionalInterface
public interface LinearAdapter {
    /**
     * The update for input {@code input}.
     *
     * @param input the projection's input, {@code [batch, seq, inFeatures]} float32; owned by the caller
     * @return {@code [batch, seq, outFeatures]} float32, a new array (closed by the model's per-call scope)
     */
    NDArray delta(NDArray input);
}
