package ai.redstar.verify;

import java.util.Objects;

/** One response to grade and its gold, for {@link RuleVerifier#verifyAll(java.util.List)}. */
public record Submission(String response, Gold gold) {
    public Submission {
        Objects.requireNonNull(response, "response");
        Objects.requireNonNull(gold, "gold");
    }
}
