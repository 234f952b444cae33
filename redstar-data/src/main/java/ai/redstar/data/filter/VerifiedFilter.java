package ai.redstar.data.filter;

import ai.redstar.verify.Verdict;
import java.util.Optional;

/**
 * Keeps traces whose final answer the verifier accepts ({@link Verdict#correct()}). Reasons, from the verdict's
 * status: {@code wrong}, {@code no_answer}, {@code undecided}; the detail names the verdict's reason and answer.
 * Immutable and thread-safe.
 */
public final class VerifiedFilter implements TraceFilter {
    private static final VerifiedFilter INSTANCE = new VerifiedFilter();

    private VerifiedFilter() {
    }

    public static VerifiedFilter create() {
        return INSTANCE;
    }

    @Override
    public String name() {
        return "verified";
    }

    @Override
    public Optional<Rejection> check(Candidate c) {
        Verdict v = c.verdict();
        if (v.correct()) {
            return Optional.empty();
        }
        String answer = v.answer().length() <= 60 ? v.answer() : v.answer().substring(0, 57) + "...";
        return Optional.of(Rejection.of(name(), v.status(), v.reason() + (answer.isEmpty() ? "" : ": '" + answer
                + "' vs '" + v.normalizedGold() + "'")));
    }

    @Override
    public String toString() {
        return "VerifiedFilter";
    }
}
