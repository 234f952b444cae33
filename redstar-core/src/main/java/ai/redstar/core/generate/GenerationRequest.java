package ai.redstar.core.generate;

import java.util.Arrays;
import java.util.Objects;

/**
 * One prompt, as token ids, and how to sample its completions.
 *
 * <p>Immutable and thread-safe: the prompt array is copied in and out.
 */
public final class GenerationRequest {
    private final int[] promptTokenIds;
    private final SamplingParams params;

    private GenerationRequest(int[] promptTokenIds, SamplingParams params) {
        this.promptTokenIds = promptTokenIds;
        this.params = params;
    }

    /**
     * A request to complete {@code promptTokenIds} (already tokenised, chat template applied, not padded).
     *
     * @throws IllegalArgumentException when the prompt is empty or holds a negative id
     */
    public static GenerationRequest of(int[] promptTokenIds, SamplingParams params) {
        Objects.requireNonNull(promptTokenIds, "promptTokenIds");
        Objects.requireNonNull(params, "params");
        if (promptTokenIds.length == 0) {
            throw new IllegalArgumentException("promptTokenIds is empty; a prompt needs at least one token");
        }
        for (int i = 0; i < promptTokenIds.length; i++) {
            if (promptTokenIds[i] < 0) {
                throw new IllegalArgumentException("promptTokenIds[" + i + "] is " + promptTokenIds[i]
                        + "; token ids are >= 0");
            }
        }
        return new GenerationRequest(promptTokenIds.clone(), params);
    }

    /** The prompt's token ids (a copy). */
    public int[] promptTokenIds() {
        return promptTokenIds.clone();
    }

    /** Number of prompt tokens. */
    public int promptLength() {
        return promptTokenIds.length;
    }

    int[] promptView() {
        return promptTokenIds;
    }

    public SamplingParams params() {
        return params;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof GenerationRequest r
                && Arrays.equals(promptTokenIds, r.promptTokenIds) && params.equals(r.params);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(promptTokenIds) + params.hashCode();
    }

    @Override
    public String toString() {
        return "GenerationRequest{promptLength=" + promptTokenIds.length + ", params=" + params + "}";
    }
}
