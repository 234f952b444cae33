package ai.redstar.data.filter;

import ai.redstar.data.sample.FinishReason;
import java.util.Optional;

/**
 * Drops generations that did not end on their own. Reasons:
 * <ul>
 *   <li>{@code length}: the teacher hit its token limit ({@code finish_reason} "length");</li>
 *   <li>{@code unclosed_think}: {@code <think>} was opened and never closed;</li>
 *   <li>{@code abnormal_finish}: any other finish reason than a stop ({@code content_filter}, {@code abort}, none),
 *       unless {@linkplain #allowingOtherFinishReasons() allowed}.</li>
 * </ul>
 * Immutable and thread-safe.
 */
public final class TruncationFilter implements TraceFilter {
    /** Why a trace was dropped. */
    public enum Reason { LENGTH, UNCLOSED_THINK, ABNORMAL_FINISH }

    private final boolean dropOther;

    private TruncationFilter(boolean dropOther) {
        this.dropOther = dropOther;
    }

    /** Drops length-cut, unclosed and abnormally finished traces. */
    public static TruncationFilter standard() {
        return new TruncationFilter(true);
    }

    /** Drops length-cut and unclosed traces only. */
    public static TruncationFilter allowingOtherFinishReasons() {
        return new TruncationFilter(false);
    }

    @Override
    public String name() {
        return "truncated";
    }

    @Override
    public Optional<Rejection> check(Candidate c) {
        FinishReason finish = c.trace().finishReason();
        if (finish == FinishReason.LENGTH) {
            return Optional.of(Rejection.of(name(), Reason.LENGTH, "cut at the token limit after "
                    + c.tokenCount() + " tokens (finish_reason '" + c.trace().sample().rawFinishReason() + "')"));
        }
        if (c.thinkState() == ThinkState.UNCLOSED) {
            return Optional.of(Rejection.of(name(), Reason.UNCLOSED_THINK, "<think> opened and never closed"));
        }
        if (dropOther && finish == FinishReason.OTHER) {
            return Optional.of(Rejection.of(name(), Reason.ABNORMAL_FINISH, "finish_reason '"
                    + c.trace().sample().rawFinishReason() + "'"));
        }
        return Optional.empty();
    }

    @Override
    public String toString() {
        return "TruncationFilter{dropOtherFinishReasons=" + dropOther + "}";
    }
}
