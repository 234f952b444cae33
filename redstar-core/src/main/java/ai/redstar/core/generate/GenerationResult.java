package ai.redstar.core.generate;

import com.google.common.collect.ImmutableList;
import java.util.List;

/**
 * The completions of one {@link GenerationRequest}, in sample order. Immutable and thread-safe.
 */
public final class GenerationResult {
    private final GenerationRequest request;
    private final ImmutableList<Completion> completions;

    GenerationResult(GenerationRequest request, List<Completion> completions) {
        this.request = request;
        this.completions = ImmutableList.copyOf(completions);
    }

    public GenerationRequest request() {
        return request;
    }

    /** {@code samplesPerPrompt} completions; element {@code i} has {@code sampleIndex() == i}. */
    public List<Completion> completions() {
        return completions;
    }

    /** The first (for greedy decoding, the only) completion. */
    public Completion first() {
        return completions.get(0);
    }

    @Override
    public String toString() {
        return "GenerationResult{request=" + request + ", completions=" + completions + "}";
    }
}
