package ai.redstar.data.sample;

import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * One sampled response to one problem, with where it came from: the problem, which sample it is, and the teacher.
 *
 * <p>Immutable and thread-safe. {@link #text()} is assembled once, on construction.
 */
public final class Trace {
    private final String problemId;
    private final int sampleIndex;
    private final String teacher;
    private final Sample sample;
    private final String text;

    /**
     * @param problemId the id of the problem answered
     * @param sampleIndex which of the problem's samples this is, from 0
     * @param teacher the model that wrote it
     * @param sample the response
     */
    public Trace(String problemId, int sampleIndex, String teacher, Sample sample) {
        this.problemId = Objects.requireNonNull(problemId, "problemId");
        if (sampleIndex < 0) {
            throw new IllegalArgumentException("sampleIndex must be >= 0, got " + sampleIndex);
        }
        this.sampleIndex = sampleIndex;
        this.teacher = Objects.requireNonNull(teacher, "teacher");
        this.sample = Objects.requireNonNull(sample, "sample");
        this.text = sample.text();
    }

    /** A trace of {@code text} with a {@link FinishReason#STOP} finish, for tests and hand-made data. */
    public static Trace of(String problemId, int sampleIndex, String text) {
        return new Trace(problemId, sampleIndex, "inline", Sample.of(text, FinishReason.STOP));
    }

    public String problemId() {
        return problemId;
    }

    public int sampleIndex() {
        return sampleIndex;
    }

    public String teacher() {
        return teacher;
    }

    public Sample sample() {
        return sample;
    }

    /** The full response (see {@link Sample#text()}). */
    public String text() {
        return text;
    }

    public Optional<String> reasoning() {
        return sample.reasoning();
    }

    public String content() {
        return sample.content();
    }

    public FinishReason finishReason() {
        return sample.finishReason();
    }

    public OptionalInt tokenCount() {
        return sample.tokenCount();
    }

    @Override
    public String toString() {
        return "Trace{" + problemId + "#" + sampleIndex + " by " + teacher + ", " + text.length() + " chars, "
                + sample.finishReason() + "}";
    }
}
