package ai.redstar.data.difficulty;

import ai.redstar.data.problem.Problem;
import java.util.Objects;

/** A problem and its difficulty. */
public record ScoredProblem(Problem problem, Difficulty difficulty) {
    public ScoredProblem {
        Objects.requireNonNull(problem, "problem");
        Objects.requireNonNull(difficulty, "difficulty");
    }
}
