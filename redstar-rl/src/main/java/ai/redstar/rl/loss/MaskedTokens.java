package ai.redstar.rl.loss;

/**
 * How a masked position inside a response (a tool output, a truncated span) enters a backward recursion
 * (GAE, discounted return). Either way its own advantage/return is reported as 0 and it carries no loss.
 */
public enum MaskedTokens {
    /** Removed from the trajectory: the next valid token follows the previous valid one directly (verl). */
    SKIP,
    /** Kept in the recursion with reward 0 and value 0, i.e. rewards and values multiplied by the mask (OpenRLHF). */
    ZERO
}
