package ai.redstar.data.problem;

import java.util.List;
import java.util.Objects;

/**
 * Where a problem's gold answer is in its input record and how to read it. Each variant names the fields it reads;
 * those fields are mapped (not carried through as extra fields).
 */
public sealed interface GoldField
        permits GoldField.Answer, GoldField.BoxedSolution, GoldField.AfterMarker, GoldField.CodeTests,
        GoldField.Choice {

    /** The fields this variant reads. */
    List<String> fields();

    /** A math answer written as is ({@code "\\frac{1}{2}"}, {@code "42"}); a {@code \boxed{}} around it is unwrapped. */
    record Answer(String field) implements GoldField {
        public Answer {
            Objects.requireNonNull(field, "field");
        }

        @Override
        public List<String> fields() {
            return List.of(field);
        }
    }

    /** A worked solution whose last {@code \boxed{}} holds the answer (MATH's {@code solution}). */
    record BoxedSolution(String field) implements GoldField {
        public BoxedSolution {
            Objects.requireNonNull(field, "field");
        }

        @Override
        public List<String> fields() {
            return List.of(field);
        }
    }

    /**
     * A worked solution ending with a marker and the answer (GSM8K's {@code "... #### 42"}): the answer is the text
     * after the last marker, trimmed, with thousands separators ({@code 1,234}) removed.
     */
    record AfterMarker(String field, String marker) implements GoldField {
        public AfterMarker {
            Objects.requireNonNull(field, "field");
            Objects.requireNonNull(marker, "marker");
            if (marker.isEmpty()) {
                throw new IllegalArgumentException("marker is empty");
            }
        }

        @Override
        public List<String> fields() {
            return List.of(field);
        }
    }

    /**
     * TACO/APPS tests: {@code {"inputs": [...], "outputs": [...], "fn_name"?: ...}} as a JSON object or as a string
     * holding that JSON.
     */
    record CodeTests(String field) implements GoldField {
        public CodeTests {
            Objects.requireNonNull(field, "field");
        }

        @Override
        public List<String> fields() {
            return List.of(field);
        }
    }

    /**
     * Multiple choice (GeoQA style): the answer field holds the letters ({@code "B"}, {@code "AC"}) or a 0-based
     * option index; the choices field holds the options as an array of texts or as one text
     * ({@code "A:30° B:45° C:60°"}). The options are appended to the question, one per line ({@code "A. 30°"}), unless
     * the question already lists them.
     */
    record Choice(String answerField, String choicesField) implements GoldField {
        public Choice {
            Objects.requireNonNull(answerField, "answerField");
            Objects.requireNonNull(choicesField, "choicesField");
        }

        @Override
        public List<String> fields() {
            return List.of(answerField, choicesField);
        }
    }
}
