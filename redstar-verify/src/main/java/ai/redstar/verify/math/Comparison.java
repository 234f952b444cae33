package ai.redstar.verify.math;

/**
 * The result of grading one math answer.
 *
 * @param outcome how the comparison ended; {@code outcome().equal()} is the verdict
 * @param answer the answer extracted from the response, or {@code ""} when none was found
 * @param normalizedAnswer the canonical form of the answer (parses back to the same expression), or the answer
 *     with its spacing collapsed when it does not parse
 * @param normalizedGold the canonical form of the gold answer
 * @param detail a short explanation for a person (which component differs, which value overflowed), or {@code ""}
 */
public record Comparison(Outcome outcome, String answer, String normalizedAnswer, String normalizedGold,
        String detail) {

    public Comparison {
        detail = detail == null ? "" : detail;
    }
}
