package ai.redstar.data.filter;

import java.util.Optional;

/**
 * A quality check on one trace: keeps it, or drops it with a {@link Rejection} saying why. Filters are small and
 * stateless; a {@link FilterChain} runs several in order and counts the drops.
 *
 * <p>Ready filters: {@link TruncationFilter}, {@link FormatFilter}, {@link LengthFilter}, {@link RepetitionFilter},
 * {@link LanguageMixFilter}, {@link VerifiedFilter}. Implementations are immutable and thread-safe.
 */
public interface TraceFilter {
    /** A short lower-case name for reports ("repetition"); unique within a chain. */
    String name();

    /** Empty to keep the trace, or why it is dropped. Never throws on any text. */
    Optional<Rejection> check(Candidate candidate);
}
