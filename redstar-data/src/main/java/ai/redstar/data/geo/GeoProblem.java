package ai.redstar.data.geo;

import ai.redstar.verify.Gold;
import ai.redstar.verify.RuleVerifier;
import ai.redstar.verify.Verdict;
import ai.redstar.verify.choice.ChoiceOptions;
import java.util.List;
import java.util.Objects;

/**
 * One generated geometry problem: a figure, a question that names what is asked (the values live only in the
 * figure), four options A to D, the gold letter and a teacher trace.
 *
 * @param id unique within its task's seed: {@code geo-<seed>-<index>}
 * @param level 1 to 3 (see {@link GeoKind})
 * @param kind what is asked
 * @param question the question, without its options
 * @param choices the option texts, A first; exactly four, distinct, exactly one correct
 * @param answer the gold letter, {@code "A"} to {@code "D"}
 * @param trace the teacher's response in the task's {@link TraceStyle}, ending with {@code The answer is \boxed{B}.}
 * @param traceCorrect whether the trace reaches the gold letter (false for the deliberately flawed share)
 * @param figure the figure, drawn on demand
 */
public record GeoProblem(String id, int level, GeoKind kind, String question, List<String> choices, String answer,
        String trace, boolean traceCorrect, GeoFigure figure) {

    public GeoProblem {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(question, "question");
        choices = List.copyOf(choices);
        Objects.requireNonNull(answer, "answer");
        Objects.requireNonNull(trace, "trace");
        Objects.requireNonNull(figure, "figure");
        if (answer.length() != 1 || answer.charAt(0) < 'A' || answer.charAt(0) >= 'A' + choices.size()) {
            throw new IllegalArgumentException("problem " + id + ": answer '" + answer + "' names none of the "
                    + choices.size() + " choices");
        }
    }

    /** The question followed by its options, one per line: {@code "...?\nA. 30°\nB. 45°\nC. 60°\nD. 75°"}. */
    public String prompt() {
        return prompt(question, choices);
    }

    static String prompt(String question, List<String> choices) {
        StringBuilder sb = new StringBuilder(question);
        for (int i = 0; i < choices.size(); i++) {
            sb.append('\n').append((char) ('A' + i)).append(". ").append(choices.get(i));
        }
        return sb.toString();
    }

    /** The text of the correct option. */
    public String answerText() {
        return choices.get(answer.charAt(0) - 'A');
    }

    /** The options for grading. */
    public ChoiceOptions options() {
        return ChoiceOptions.of(choices);
    }

    /** The gold for {@link RuleVerifier}: the letter with the option texts. */
    public Gold gold() {
        return Gold.choice(answer, options());
    }

    /** Grades a model's response: {@code verifier.verify(response, gold())}. */
    public Verdict grade(RuleVerifier verifier, String response) {
        return verifier.verify(response, gold());
    }
}
