package ai.redstar.rl.reward;

import java.util.Objects;

/**
 * The reward of one rollout and why it was given (a verdict's reason and detail, the format check, the length
 * penalty), for the per-rollout log.
 *
 * @param value the reward, finite
 * @param reason a short explanation for a person; never null
 */
public record Reward(double value, String reason) {
    /** Rejects a non-finite value or a null reason. */
    public Reward {
        if (!Double.isFinite(value)) {
            throw new IllegalArgumentException("reward value=" + value + " must be finite");
        }
        Objects.requireNonNull(reason, "reason");
    }
}
