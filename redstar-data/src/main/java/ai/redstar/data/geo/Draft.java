package ai.redstar.data.geo;

import java.util.List;
import java.util.Objects;

/**
 * A generated problem before its options are ordered: the figure, what the figure shows in words, the correct
 * reasoning steps and answer, and plausible wrong answers each with the wrong step that leads to it.
 *
 * @param reading what a careful reader sees in the figure (the first line of a trace)
 * @param steps the correct reasoning steps after the reading
 * @param answer the correct option text
 * @param wrongs wrong option texts, most plausible first, each with the flawed steps that reach it; for fixed-choice
 *     kinds, exactly the other fixed options
 */
record Draft(GeoKind kind, List<Mark> marks, String reading, List<String> steps, String answer, List<Wrong> wrongs) {

    /** A wrong answer and the flawed steps (replacing the correct ones) that reach it. */
    record Wrong(String answer, List<String> steps) {
        Wrong {
            Objects.requireNonNull(answer, "answer");
            steps = List.copyOf(steps);
        }
    }

    Draft {
        marks = List.copyOf(marks);
        steps = List.copyOf(steps);
        wrongs = List.copyOf(wrongs);
    }
}
