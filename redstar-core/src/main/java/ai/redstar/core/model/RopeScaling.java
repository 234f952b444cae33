package ai.redstar.core.model;

import com.google.common.base.Preconditions;

/**
 * Linear RoPE scaling, i.e. Position Interpolation (Chen et al. 2023, arXiv 2306.15595): every position index is
 * divided by {@code factor} before the rotary angles are computed, so a model trained on {@code L} tokens sees
 * {@code factor × L} tokens within the angle range it knows. Written to {@code config.json} as
 * {@code "rope_scaling": {"rope_type": "linear", "type": "linear", "factor": F}}.
 *
 * @param factor the context extension factor, {@code > 1} extends ({@code 1} is the identity)
 */
public record RopeScaling(double factor) {
    public RopeScaling {
        Preconditions.checkArgument(Double.isFinite(factor) && factor >= 1.0,
                "rope_scaling.factor must be a finite number >= 1, got %s", factor);
    }

    /** Linear Position Interpolation by {@code factor}. */
    public static RopeScaling linear(double factor) {
        return new RopeScaling(factor);
    }
}
