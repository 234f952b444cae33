package ai.redstar.rl.reward;

import ai.redstar.verify.Gold;
import java.util.Objects;

/**
 * What a reward function sees of one sampled response.
 *
 * @param response the decoded response text
 * @param gold the prompt's gold answer
 * @param responseTokens number of response tokens, EOS included, &gt;= 0
 * @param truncated whether generation stopped at the length limit before EOS
 */
public record Rollout(String response, Gold gold, int responseTokens, boolean truncated) {
    /** Rejects nulls and a negative token count. */
    public Rollout {
        Objects.requireNonNull(response, "response");
        Objects.requireNonNull(gold, "gold");
        if (responseTokens < 0) {
            throw new IllegalArgumentException("responseTokens=" + responseTokens + " must be >= 0");
        }
    }
}
