package ai.redstar.data.pairs;

import ai.redstar.data.filter.Candidate;
import java.util.Objects;

/**
 * A preference pair for DPO: two traces of one problem, the chosen one verified right and the rejected one verified
 * wrong.
 */
public record PreferencePair(Candidate chosen, Candidate rejected) {
    public PreferencePair {
        Objects.requireNonNull(chosen, "chosen");
        Objects.requireNonNull(rejected, "rejected");
        if (!chosen.trace().problemId().equals(rejected.trace().problemId())) {
            throw new IllegalArgumentException("a pair needs two traces of one problem, got "
                    + chosen.trace().problemId() + " and " + rejected.trace().problemId());
        }
    }
}
