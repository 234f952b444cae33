package ai.redstar.data.difficulty;

import java.util.Map;
import java.util.Objects;

/**
 * A problem's difficulty.
 *
 * @param value in [0, 1], 0 easiest
 * @param bucket the bucket of {@code value} among the scorer's equal-width buckets, from 0
 * @param components each strategy's own difficulty by name ("pass_rate", "level", "trace_length"), in the
 *     strategy's order
 */
public record Difficulty(double value, int bucket, Map<String, Double> components) {
    public Difficulty {
        if (!(value >= 0 && value <= 1)) {
            throw new IllegalArgumentException("difficulty must be in [0, 1], got " + value);
        }
        if (bucket < 0) {
            throw new IllegalArgumentException("bucket must be >= 0, got " + bucket);
        }
        components = java.util.Collections.unmodifiableMap(
                new java.util.LinkedHashMap<>(Objects.requireNonNull(components, "components")));
    }
}
