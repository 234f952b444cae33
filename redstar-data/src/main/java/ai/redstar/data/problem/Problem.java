package ai.redstar.data.problem;

import ai.redstar.verify.Gold;
import com.google.gson.JsonObject;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One problem: the question put to the teacher, what its answers are graded against, and everything else its input
 * record held.
 *
 * <p>Immutable and thread-safe: the extra fields are copied in and handed out as copies.
 */
public final class Problem {
    private final long index;
    private final String id;
    private final String question;
    private final Gold gold;
    private final String answer;
    private final String source;
    private final String level;
    private final JsonObject extraFields;

    /**
     * @param index the problem's position in its input: the 1-based line number for problems read from JSONL (unique
     *     within one file; the resume journal is keyed by it); at least 1
     * @param id the problem's id (from the input, or made from the file name and line)
     * @param question the text put to the teacher (for multiple choice, with the options appended)
     * @param gold what responses are graded against
     * @param answer the gold answer as text, for outputs: the math answer, the choice letters, or {@code ""} for
     *     code tests
     * @param source where the problem comes from ("MATH", "gsm8k", a file name)
     * @param level the declared difficulty as written in the input ("Level 5", "7", "MEDIUM"), if any
     * @param extraFields the input fields the {@link ProblemFormat} does not map, carried through to every output
     */
    public Problem(long index, String id, String question, Gold gold, String answer, String source,
            Optional<String> level, JsonObject extraFields) {
        if (index < 1) {
            throw new IllegalArgumentException("index must be >= 1, got " + index);
        }
        this.index = index;
        this.id = Objects.requireNonNull(id, "id");
        this.question = Objects.requireNonNull(question, "question");
        this.gold = Objects.requireNonNull(gold, "gold");
        this.answer = Objects.requireNonNull(answer, "answer");
        this.source = Objects.requireNonNull(source, "source");
        this.level = Objects.requireNonNull(level, "level").orElse(null);
        this.extraFields = Objects.requireNonNull(extraFields, "extraFields").deepCopy();
    }

    /** A math problem with no extra fields, for code and tests. */
    public static Problem math(long index, String id, String question, String answer) {
        return new Problem(index, id, question, Gold.math(answer), answer, "inline", Optional.empty(),
                new JsonObject());
    }

    public long index() {
        return index;
    }

    public String id() {
        return id;
    }

    public String question() {
        return question;
    }

    public Gold gold() {
        return gold;
    }

    public String answer() {
        return answer;
    }

    public String source() {
        return source;
    }

    public Optional<String> level() {
        return Optional.ofNullable(level);
    }

    /** A copy of the input fields that are not mapped. */
    public JsonObject extraFields() {
        return extraFields.deepCopy();
    }

    /** Whether the input had an unmapped field of this name. */
    public boolean hasExtraField(String name) {
        return extraFields.has(name);
    }

    /**
     * Copies the unmapped input fields into {@code target}. A field whose name is in {@code reserved} (an output's
     * own field such as {@code "messages"}) is put under {@code target.input_fields} instead, so that nothing is
     * overwritten and nothing is lost.
     */
    public void copyExtraFieldsTo(JsonObject target, java.util.Set<String> reserved) {
        Objects.requireNonNull(target, "target");
        JsonObject clashing = null;
        for (Map.Entry<String, com.google.gson.JsonElement> e : extraFields.entrySet()) {
            if (reserved.contains(e.getKey()) || target.has(e.getKey())) {
                if (clashing == null) {
                    clashing = new JsonObject();
                }
                clashing.add(e.getKey(), e.getValue().deepCopy());
            } else {
                target.add(e.getKey(), e.getValue().deepCopy());
            }
        }
        if (clashing != null) {
            target.add(INPUT_FIELDS, clashing);
        }
    }

    /** The output field that holds input fields whose names clash with an output's own fields. */
    public static final String INPUT_FIELDS = "input_fields";

    @Override
    public boolean equals(Object o) {
        return o instanceof Problem p && index == p.index && id.equals(p.id) && question.equals(p.question)
                && gold.equals(p.gold) && answer.equals(p.answer) && source.equals(p.source)
                && Objects.equals(level, p.level) && extraFields.equals(p.extraFields);
    }

    @Override
    public int hashCode() {
        return Objects.hash(index, id, question, answer, source, level);
    }

    @Override
    public String toString() {
        return "Problem{" + id + " (line " + index + "), " + source + (level == null ? "" : ", " + level) + "}";
    }
}
