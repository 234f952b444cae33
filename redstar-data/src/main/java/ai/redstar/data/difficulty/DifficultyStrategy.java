package ai.redstar.data.difficulty;

import ai.redstar.data.filter.TokenCounter;
import ai.redstar.data.problem.PromptTemplate;
import ai.redstar.data.sample.TraceSampler;
import ai.redstar.verify.RuleVerifier;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * How a problem's difficulty in [0, 1] is judged (0 easiest). Each variant names its component in
 * {@link Difficulty#components()}.
 */
public sealed interface DifficultyStrategy permits DifficultyStrategy.PassRate, DifficultyStrategy.DeclaredLevel,
        DifficultyStrategy.TraceLength, DifficultyStrategy.Weighted {

    /**
     * {@code 1 - c/k}: a model answers the problem {@code samples} times and {@code c} answers are verified right
     * (component {@code "pass_rate"} holds the difficulty, not the rate).
     */
    record PassRate(TraceSampler sampler, int samples, RuleVerifier verifier, PromptTemplate prompt)
            implements DifficultyStrategy {
        public PassRate {
            Objects.requireNonNull(sampler, "sampler");
            Objects.requireNonNull(verifier, "verifier");
            Objects.requireNonNull(prompt, "prompt");
            if (samples < 1 || samples > 1024) {
                throw new IllegalArgumentException("pass-rate samples must be in [1, 1024], got " + samples);
            }
        }
    }

    /**
     * The declared level of the problem read by a {@link LevelScale}: from {@code Problem.level()} when
     * {@code field} is empty, else from that extra field (component {@code "level"}). Problems without a readable
     * level are unscored by this strategy.
     */
    record DeclaredLevel(LevelScale scale, Optional<String> field) implements DifficultyStrategy {
        public DeclaredLevel {
            Objects.requireNonNull(scale, "scale");
            Objects.requireNonNull(field, "field");
        }
    }

    /**
     * The teacher's mean response length over {@code samples} samples, in tokens, mapped linearly from
     * {@code [shortTokens, longTokens]} to [0, 1] and clamped there: longer reasoning marks a harder problem
     * (component {@code "trace_length"}).
     */
    record TraceLength(TraceSampler sampler, int samples, TokenCounter counter, int shortTokens, int longTokens,
            PromptTemplate prompt) implements DifficultyStrategy {
        public TraceLength {
            Objects.requireNonNull(sampler, "sampler");
            Objects.requireNonNull(counter, "counter");
            Objects.requireNonNull(prompt, "prompt");
            if (samples < 1 || samples > 1024) {
                throw new IllegalArgumentException("trace-length samples must be in [1, 1024], got " + samples);
            }
            if (shortTokens < 0 || longTokens <= shortTokens) {
                throw new IllegalArgumentException("trace length needs 0 <= shortTokens < longTokens, got ["
                        + shortTokens + ", " + longTokens + "]");
            }
        }
    }

    /**
     * The weighted mean of several strategies' difficulties. A component that cannot score a problem is left out
     * and the other weights are renormalised; a problem no component scores is unscored.
     */
    record Weighted(List<Part> parts) implements DifficultyStrategy {
        public Weighted {
            parts = List.copyOf(parts);
            if (parts.isEmpty()) {
                throw new IllegalArgumentException("a weighted difficulty needs at least one part");
            }
            for (Part p : parts) {
                if (p.strategy() instanceof Weighted) {
                    throw new IllegalArgumentException("weighted difficulties do not nest; list every part once");
                }
            }
        }
    }

    /** One part of a {@link Weighted} difficulty; {@code weight > 0}. */
    record Part(DifficultyStrategy strategy, double weight) {
        public Part {
            Objects.requireNonNull(strategy, "strategy");
            if (!(weight > 0 && Double.isFinite(weight))) {
                throw new IllegalArgumentException("a weight must be finite and > 0, got " + weight);
            }
        }
    }

    /** Pass rate over {@code samples} answers with the {@linkplain PromptTemplate#standard() standard prompt}. */
    static PassRate passRate(TraceSampler sampler, int samples, RuleVerifier verifier) {
        return new PassRate(sampler, samples, verifier, PromptTemplate.standard());
    }

    /** The problem's declared level on {@code scale}. */
    static DeclaredLevel declaredLevel(LevelScale scale) {
        return new DeclaredLevel(scale, Optional.empty());
    }

    /** The level in the extra field {@code field} on {@code scale} (e.g. a model-rated "rating" field). */
    static DeclaredLevel declaredLevel(LevelScale scale, String field) {
        return new DeclaredLevel(scale, Optional.of(field));
    }

    /** Teacher length with the {@linkplain PromptTemplate#standard() standard prompt}. */
    static TraceLength traceLength(TraceSampler sampler, int samples, TokenCounter counter, int shortTokens,
            int longTokens) {
        return new TraceLength(sampler, samples, counter, shortTokens, longTokens, PromptTemplate.standard());
    }

    /** A weighted combination, in the map's iteration order. */
    static Weighted weighted(Map<DifficultyStrategy, Double> weights) {
        List<Part> parts = new ArrayList<>();
        weights.forEach((s, w) -> parts.add(new Part(s, w)));
        return new Weighted(parts);
    }
}
