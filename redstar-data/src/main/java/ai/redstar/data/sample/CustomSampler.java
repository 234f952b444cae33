package ai.redstar.data.sample;

import ai.redstar.core.tokenizer.ChatMessage;
import java.util.List;
import java.util.Objects;

/**
 * A teacher backed by a {@link SampleFunction}, made by {@link TraceSampler#custom}. Thread-safe when the function
 * is.
 */
public final class CustomSampler implements TraceSampler {
    private final String teacher;
    private final SampleFunction function;

    CustomSampler(String teacher, SampleFunction function) {
        this.teacher = Objects.requireNonNull(teacher, "teacher");
        this.function = Objects.requireNonNull(function, "function");
        if (teacher.isBlank()) {
            throw new IllegalArgumentException("teacher name is blank");
        }
    }

    @Override
    public String teacher() {
        return teacher;
    }

    /**
     * @throws IllegalStateException when the function returns null, a null sample, or other than {@code n} samples
     */
    @Override
    public List<Sample> sample(List<ChatMessage> messages, int n, long seed) {
        Objects.requireNonNull(messages, "messages");
        if (n < 1) {
            throw new IllegalArgumentException("n must be >= 1, got " + n);
        }
        List<Sample> samples = function.sample(messages, n, seed);
        if (samples == null || samples.size() != n || samples.contains(null)) {
            throw new IllegalStateException("sampler '" + teacher + "' returned "
                    + (samples == null ? "null" : samples.size() + " samples" + (samples.contains(null) ? " with nulls" : ""))
                    + " for n = " + n + "; it must return exactly n samples");
        }
        return List.copyOf(samples);
    }

    /** The teacher's name: a custom source's settings are its own business. */
    @Override
    public String settings() {
        return "CustomSampler{" + teacher + "}";
    }

    @Override
    public String toString() {
        return "CustomSampler{" + teacher + "}";
    }
}
