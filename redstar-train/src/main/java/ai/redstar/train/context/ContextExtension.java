package ai.redstar.train.context;

import ai.redstar.core.model.CausalLm;
import ai.redstar.core.model.ModelConfig;
import ai.redstar.core.model.RopeScaling;
import java.util.Locale;
import java.util.Objects;

/**
 * Position Interpolation (Chen et al. 2023, "Extending Context Window of Large Language Models via Positional
 * Interpolation", arXiv 2306.15595): a model trained on {@code L} positions reads {@code factor × L} positions by
 * dividing every position index by {@code factor} before the rotary angles are computed (Hugging Face's
 * {@code rope_scaling: {"rope_type": "linear", "factor": F}}). Position {@code p·factor} of the extended model has
 * exactly the rotary angles of position {@code p} of the original.
 *
 * <p><b>Composition.</b> transformers' linear scaling has one factor, so extending a model that already has a factor
 * multiplies the two: a factor-2 model extended by 2 gets {@code factor 4}; {@code max_position_embeddings} is
 * multiplied by {@code factor} too (rounded down), declaring the new context length as extended Llama checkpoints do
 * (transformers' linear scaling itself reads only the factor).
 *
 * <p>Stateless and thread-safe.
 */
public final class ContextExtension {
    private ContextExtension() {}

    /**
     * The model with its context extended by {@code factor}: the same parameter arrays under
     * {@link #extendedConfig(ModelConfig, double)}, through {@link CausalLm#withConfig}. <b>Ownership moves</b>: the
     * result owns the parameters and {@code model} is closed (closing it again is a no-op). Extend before attaching
     * adapters such as LoRA. {@link CausalLm#save} writes the scaling into {@code config.json}, and
     * {@link CausalLm#load} of that folder gives the extended model back.
     *
     * @param factor the extension, a finite number {@code > 1} (e.g. 4 for 4k → 16k positions)
     * @throws IllegalArgumentException for a factor that is not finite and above 1, or a context length that
     *     overflows an int
     * @throws IllegalStateException when the model has adapters installed or is closed
     */
    public static CausalLm extend(CausalLm model, double factor) {
        Objects.requireNonNull(model, "model");
        return model.withConfig(extendedConfig(model.config(), factor));
    }

    /**
     * {@code config} with {@code rope_scaling} linear of factor {@code current × factor} (current is 1 without
     * scaling) and {@code max_position_embeddings} {@code ⌊current × factor⌋}; everything else unchanged.
     *
     * @throws IllegalArgumentException as {@link #extend}
     */
    public static ModelConfig extendedConfig(ModelConfig config, double factor) {
        Objects.requireNonNull(config, "config");
        if (!(factor > 1) || !Double.isFinite(factor)) {
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                    "the context extension factor is %s; it must be a finite number > 1 (e.g. 4 to go from 4096 to"
                            + " 16384 positions)", factor));
        }
        double current = config.ropeScaling().map(RopeScaling::factor).orElse(1.0);
        double positions = Math.floor(config.maxPositionEmbeddings() * factor);
        if (positions > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                    "extending max_position_embeddings %d by %s gives %.0f positions, more than an int holds",
                    config.maxPositionEmbeddings(), factor, positions));
        }
        return config.toBuilder()
                .ropeScaling(RopeScaling.linear(current * factor))
                .maxPositionEmbeddings((int) positions)
                .build();
    }
}
