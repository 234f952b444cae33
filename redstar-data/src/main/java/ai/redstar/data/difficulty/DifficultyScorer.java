package ai.redstar.data.difficulty;

import ai.redstar.data.problem.Problem;
import ai.redstar.data.problem.PromptTemplate;
import ai.redstar.data.sample.Sample;
import ai.redstar.data.sample.TraceSampler;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * Scores problems by difficulty and selects among them; usable alone or inside {@code LongCotDataset}.
 *
 * <pre>{@code
 * DifficultyScorer scorer = DifficultyScorer.builder(DifficultyStrategy.weighted(Map.of(
 *                 DifficultyStrategy.declaredLevel(LevelScale.math()), 1.0,
 *                 DifficultyStrategy.passRate(smallModel, 8, verifier), 2.0)))
 *         .buckets(5).seed(42).build();
 * Optional<Difficulty> d = scorer.score(problem);   // value in [0, 1], bucket in [0, 5), components
 * List<ScoredProblem> hard = scorer.select(scored, new Selection.Threshold(0.6, 1.0));
 * }</pre>
 *
 * <p>Strategies that sample ({@link DifficultyStrategy.PassRate}, {@link DifficultyStrategy.TraceLength}) share
 * samples when they name the same sampler and prompt: the problem is sampled once, as many times as the most
 * demanding one needs, with the seed {@code MixSelector.rank(seed, problem id)}. Buckets have equal width: bucket
 * {@code b} of {@code n} holds difficulties in {@code [b/n, (b+1)/n)}, the last one including 1.
 *
 * <p>Immutable and thread-safe when its samplers are.
 */
public final class DifficultyScorer {
    private final DifficultyStrategy strategy;
    private final int buckets;
    private final long seed;

    private DifficultyScorer(Builder b) {
        this.strategy = b.strategy;
        this.buckets = b.buckets == null ? 5 : b.buckets;
        this.seed = b.seed == null ? 0 : b.seed;
    }

    public static Builder builder(DifficultyStrategy strategy) {
        return new Builder(strategy);
    }

    public DifficultyStrategy strategy() {
        return strategy;
    }

    public int buckets() {
        return buckets;
    }

    public long seed() {
        return seed;
    }

    /** The bucket of a difficulty in [0, 1]. */
    public int bucketOf(double difficulty) {
        if (!(difficulty >= 0 && difficulty <= 1)) {
            throw new IllegalArgumentException("difficulty must be in [0, 1], got " + difficulty);
        }
        return Math.min(buckets - 1, (int) Math.floor(difficulty * buckets));
    }

    /** The range of a bucket, e.g. {@code "[0.40, 0.60)"}. */
    public String bucketLabel(int bucket) {
        return bucketLabel(bucket, buckets);
    }

    /** The range of bucket {@code bucket} of {@code buckets} equal-width buckets. */
    public static String bucketLabel(int bucket, int buckets) {
        return String.format(Locale.ROOT, "[%.2f, %.2f%s", (double) bucket / buckets, (double) (bucket + 1) / buckets,
                bucket == buckets - 1 ? "]" : ")");
    }

    /**
     * The problem's difficulty, or empty when the strategy cannot score it (no readable level, and no other
     * component).
     *
     * @throws ai.redstar.data.sample.SamplerException when a sampling strategy's teacher fails
     */
    public Optional<Difficulty> score(Problem problem) {
        Objects.requireNonNull(problem, "problem");
        Map<SampleKey, Integer> needed = new LinkedHashMap<>();
        collectSampling(strategy, needed);
        Map<SampleKey, List<Sample>> samples = new HashMap<>();
        long sampleSeed = MixSelector.rank(seed, problem.id());
        for (Map.Entry<SampleKey, Integer> e : needed.entrySet()) {
            SampleKey k = e.getKey();
            samples.put(k, k.sampler().sample(k.prompt().messages(problem), e.getValue(), sampleSeed));
        }
        Map<String, Double> components = new LinkedHashMap<>();
        double value;
        if (strategy instanceof DifficultyStrategy.Weighted w) {
            double sum = 0;
            double weights = 0;
            for (DifficultyStrategy.Part part : w.parts()) {
                OptionalDouble d = component(part.strategy(), problem, samples, components);
                if (d.isPresent()) {
                    sum += part.weight() * d.getAsDouble();
                    weights += part.weight();
                }
            }
            if (weights == 0) {
                return Optional.empty();
            }
            value = Math.max(0, Math.min(1, sum / weights));
        } else {
            OptionalDouble d = component(strategy, problem, samples, components);
            if (d.isEmpty()) {
                return Optional.empty();
            }
            value = d.getAsDouble();
        }
        return Optional.of(new Difficulty(value, bucketOf(value), components));
    }

    /** Selects among scored problems, in input order (see {@link Selection}). */
    public List<ScoredProblem> select(List<ScoredProblem> scored, Selection selection) {
        Objects.requireNonNull(scored, "scored");
        Objects.requireNonNull(selection, "selection");
        if (selection instanceof Selection.All) {
            return List.copyOf(scored);
        }
        if (selection instanceof Selection.Threshold t) {
            List<ScoredProblem> out = new ArrayList<>();
            for (ScoredProblem p : scored) {
                if (t.accepts(p.difficulty())) {
                    out.add(p);
                }
            }
            return out;
        }
        return MixSelector.select((Selection.TargetMix) selection, scored);
    }

    private record SampleKey(TraceSampler sampler, PromptTemplate prompt) {
    }

    private static void collectSampling(DifficultyStrategy s, Map<SampleKey, Integer> needed) {
        if (s instanceof DifficultyStrategy.PassRate p) {
            needed.merge(new SampleKey(p.sampler(), p.prompt()), p.samples(), Math::max);
        } else if (s instanceof DifficultyStrategy.TraceLength t) {
            needed.merge(new SampleKey(t.sampler(), t.prompt()), t.samples(), Math::max);
        } else if (s instanceof DifficultyStrategy.Weighted w) {
            for (DifficultyStrategy.Part part : w.parts()) {
                collectSampling(part.strategy(), needed);
            }
        }
    }

    private static OptionalDouble component(DifficultyStrategy s, Problem problem,
            Map<SampleKey, List<Sample>> samples, Map<String, Double> components) {
        OptionalDouble d;
        String name;
        if (s instanceof DifficultyStrategy.PassRate p) {
            List<Sample> list = samples.get(new SampleKey(p.sampler(), p.prompt())).subList(0, p.samples());
            int correct = 0;
            for (Sample sample : list) {
                if (p.verifier().verify(sample.text(), problem.gold()).correct()) {
                    correct++;
                }
            }
            d = OptionalDouble.of(1 - (double) correct / p.samples());
            name = "pass_rate";
        } else if (s instanceof DifficultyStrategy.TraceLength t) {
            List<Sample> list = samples.get(new SampleKey(t.sampler(), t.prompt())).subList(0, t.samples());
            double tokens = 0;
            for (Sample sample : list) {
                tokens += sample.tokenCount().isPresent() ? sample.tokenCount().getAsInt()
                        : t.counter().count(sample.text());
            }
            double mean = tokens / list.size();
            d = OptionalDouble.of(Math.max(0, Math.min(1,
                    (mean - t.shortTokens()) / (double) (t.longTokens() - t.shortTokens()))));
            name = "trace_length";
        } else if (s instanceof DifficultyStrategy.DeclaredLevel l) {
            Optional<String> text = l.field().isEmpty() ? problem.level() : extraText(problem, l.field().get());
            d = text.isEmpty() ? OptionalDouble.empty() : l.scale().read(text.get());
            name = "level";
        } else {
            throw new IllegalArgumentException("weighted difficulties do not nest");
        }
        if (d.isPresent()) {
            String key = name;
            for (int i = 2; components.containsKey(key); i++) {
                key = name + "_" + i;
            }
            components.put(key, d.getAsDouble());
        }
        return d;
    }

    private static Optional<String> extraText(Problem problem, String field) {
        if (!problem.hasExtraField(field)) {
            return Optional.empty();
        }
        JsonObject extra = problem.extraFields();
        JsonElement e = extra.get(field);
        return e != null && e.isJsonPrimitive() ? Optional.of(e.getAsString()) : Optional.empty();
    }

    /**
     * A description that depends only on the settings (samplers by teacher name and their own description), stable
     * across JVMs: runs compare it to decide whether they may resume one another.
     */
    @Override
    public String toString() {
        return "DifficultyScorer{" + describe(strategy) + ", buckets=" + buckets + ", seed=" + seed + "}";
    }

    private static String describe(DifficultyStrategy s) {
        if (s instanceof DifficultyStrategy.PassRate p) {
            return "PassRate{" + p.sampler().settings() + ", samples=" + p.samples() + ", " + p.prompt() + "}";
        }
        if (s instanceof DifficultyStrategy.TraceLength t) {
            return "TraceLength{" + t.sampler().settings() + ", samples=" + t.samples() + ", tokens=[" + t.shortTokens() + ", "
                    + t.longTokens() + "], " + t.prompt() + "}";
        }
        if (s instanceof DifficultyStrategy.DeclaredLevel l) {
            return "DeclaredLevel{" + l.scale() + l.field().map(f -> ", field=" + f).orElse("") + "}";
        }
        StringBuilder b = new StringBuilder("Weighted{");
        for (DifficultyStrategy.Part part : ((DifficultyStrategy.Weighted) s).parts()) {
            b.append(part.weight()).append(" x ").append(describe(part.strategy())).append("; ");
        }
        return b.append('}').toString();
    }

    /** Settings of a {@link DifficultyScorer}; each may be set once. */
    public static final class Builder {
        private final DifficultyStrategy strategy;
        private Integer buckets;
        private Long seed;
        private final List<String> problems = new ArrayList<>();

        private Builder(DifficultyStrategy strategy) {
            this.strategy = Objects.requireNonNull(strategy, "strategy");
        }

        /** Equal-width difficulty buckets (default 5), in [1, 100]. */
        public Builder buckets(int buckets) {
            if (this.buckets != null) {
                problems.add("buckets was set twice");
            }
            this.buckets = buckets;
            return this;
        }

        /** The seed of the sampling strategies (default 0). */
        public Builder seed(long seed) {
            if (this.seed != null) {
                problems.add("seed was set twice");
            }
            this.seed = seed;
            return this;
        }

        /** @throws IllegalArgumentException naming every invalid setting */
        public DifficultyScorer build() {
            List<String> all = new ArrayList<>(problems);
            if (buckets != null && (buckets < 1 || buckets > 100)) {
                all.add("buckets must be in [1, 100], was " + buckets);
            }
            if (!all.isEmpty()) {
                throw new IllegalArgumentException("invalid DifficultyScorer settings: " + String.join("; ", all));
            }
            return new DifficultyScorer(this);
        }
    }
}
