package ai.redstar.data.filter;

import java.util.Optional;

/**
 * Keeps traces whose token count ({@link Candidate#tokenCount()}) lies in {@code [minTokens, maxTokens]}. Reasons:
 * {@code too_short}, {@code too_long}. Immutable and thread-safe.
 */
public final class LengthFilter implements TraceFilter {
    /** Why a trace was dropped. */
    public enum Reason { TOO_SHORT, TOO_LONG }

    private final int minTokens;
    private final int maxTokens;

    private LengthFilter(int minTokens, int maxTokens) {
        this.minTokens = minTokens;
        this.maxTokens = maxTokens;
    }

    /**
     * @throws IllegalArgumentException unless {@code 0 <= minTokens <= maxTokens}
     */
    public static LengthFilter between(int minTokens, int maxTokens) {
        if (minTokens < 0 || maxTokens < minTokens) {
            throw new IllegalArgumentException("length bounds must satisfy 0 <= minTokens <= maxTokens, got ["
                    + minTokens + ", " + maxTokens + "]");
        }
        return new LengthFilter(minTokens, maxTokens);
    }

    public int minTokens() {
        return minTokens;
    }

    public int maxTokens() {
        return maxTokens;
    }

    @Override
    public String name() {
        return "length";
    }

    @Override
    public Optional<Rejection> check(Candidate c) {
        int tokens = c.tokenCount();
        if (tokens < minTokens) {
            return Optional.of(Rejection.of(name(), Reason.TOO_SHORT, tokens + " tokens < " + minTokens));
        }
        if (tokens > maxTokens) {
            return Optional.of(Rejection.of(name(), Reason.TOO_LONG, tokens + " tokens > " + maxTokens));
        }
        return Optional.empty();
    }

    @Override
    public String toString() {
        return "LengthFilter{[" + minTokens + ", " + maxTokens + "] tokens}";
    }
}
