package ai.redstar.rl.rollout;

import ai.redstar.verify.Gold;
import java.util.Objects;

/**
 * One RL prompt: its token ids (chat template already applied, generation prompt included) and its gold answer.
 * Immutable; the ids are copied in and out.
 *
 * @param tokenIds at least one token id
 * @param gold what the reward function checks the response against
 */
public record Prompt(int[] tokenIds, Gold gold) {
    public Prompt {
        Objects.requireNonNull(tokenIds, "tokenIds");
        Objects.requireNonNull(gold, "gold");
        if (tokenIds.length == 0) {
            throw new IllegalArgumentException("tokenIds is empty; a prompt needs at least one token");
        }
        tokenIds = tokenIds.clone();
    }

    @Override
    public int[] tokenIds() {
        return tokenIds.clone();
    }
}
