package ai.redstar.verify.math;

import java.util.List;
import java.util.Optional;

/**
 * The answer found in a model's response.
 *
 * @param answers the candidate answers in order of appearance (several only for {@link BoxedPolicy#ALL_MUST_AGREE});
 *     empty when nothing was found
 * @param source where the answer came from
 */
public record Extraction(List<String> answers, Source source) {

    /** Where an answer was found. */
    public enum Source {
        /** {@code \boxed{...}} or {@code \fbox{...}}. */
        BOXED,
        /** A phrase such as "The final answer is ..." or "Answer: ...". */
        PHRASE,
        /** The last number in the response (only when the fallback is enabled). */
        LAST_NUMBER,
        /** Nothing found. */
        NONE,
        /** A {@code <think>} block was opened and never closed. */
        UNFINISHED_THINKING
    }

    public Extraction {
        answers = List.copyOf(answers);
    }

    /** The answer that is graded: the last candidate. */
    public Optional<String> answer() {
        return answers.isEmpty() ? Optional.empty() : Optional.of(answers.get(answers.size() - 1));
    }
}
