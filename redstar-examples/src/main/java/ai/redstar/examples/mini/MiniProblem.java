package ai.redstar.examples.mini;

import ai.redstar.data.problem.Problem;
import ai.redstar.verify.Gold;
import com.google.gson.JsonObject;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * One addition problem of {@link AdditionTask}.
 *
 * @param id unique within one generator's output ({@code "add-L<level>-<n>"})
 * @param question the question text ("Compute 4738 + 2965.")
 * @param left the first operand
 * @param right the second operand
 * @param level the difficulty level, from 1 ({@link AdditionTask#digits(int)} gives the operands' digits)
 */
public record MiniProblem(String id, String question, long left, long right, int level) {
    /** The {@code source} field of every problem of the task. */
    public static final String SOURCE = "mini-addition";

    public MiniProblem {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(question, "question");
        if (level < 1) {
            throw new IllegalArgumentException("level must be >= 1, got " + level);
        }
    }

    /** The gold answer as text. */
    public String answer() {
        return Long.toString(left + right);
    }

    /** The level as the problem JSONL writes it: {@code "Level 3"} (read by {@code LevelScale.Linear}). */
    public String levelText() {
        return "Level " + level;
    }

    /** The record of the library's problem JSONL ({@code ProblemFormat.generic()}): id, question, answer, source, level. */
    public JsonObject toJson() {
        JsonObject o = new JsonObject();
        o.addProperty("id", id);
        o.addProperty("question", question);
        o.addProperty("answer", answer());
        o.addProperty("source", SOURCE);
        o.addProperty("level", levelText());
        return o;
    }

    /** This problem as the data pipeline's {@link Problem} at input position {@code index} (from 1). */
    public Problem toProblem(long index) {
        return new Problem(index, id, question, Gold.math(answer()), answer(), SOURCE, Optional.of(levelText()),
                new JsonObject());
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "%s: %d + %d (level %d)", id, left, right, level);
    }
}
