package ai.redstar.verify.math;

/**
 * How a value with a percent sign compares with one without. Both readings are defensible ("what percent..."
 * wants {@code 28}; "what fraction..." wants {@code 0.28}), so the choice is explicit.
 */
public enum PercentPolicy {
    /** {@code 28\%} equals both {@code 28} and {@code 0.28} (default: right under either reading). */
    NUMBER_OR_FRACTION,
    /** {@code 28\%} equals {@code 0.28} only: the sign means "divided by 100". */
    FRACTION,
    /** {@code 28\%} equals {@code 28} only: the sign is decoration (Math-Verify's reading). */
    NUMBER
}
