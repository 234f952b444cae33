package ai.redstar.train.lora;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The hyper-parameters of LoRA (Hu et al. 2021, "LoRA: Low-Rank Adaptation of Large Language Models",
 * arXiv 2106.09685): each targeted projection {@code y = x·Wᵀ + b} becomes
 * {@code y = x·Wᵀ + b + (α/r)·dropout(x)·Aᵀ·Bᵀ} with {@code A} {@code [r, in]} and {@code B} {@code [out, r]}.
 * Symbols: {@code r} = {@link #rank()}, {@code α} = {@link #alpha()}.
 *
 * <p>Defaults (each documented on its builder method): rank 8, alpha 16, dropout 0.05, targets {@code q_proj} and
 * {@code v_proj}, seed 0, no base-model name. They follow the LoRA paper (r = 8 on W<sub>q</sub> and
 * W<sub>v</sub>, its §7.1) and the widely reused Alpaca-LoRA / PEFT recipes (α = 2r, dropout 0.05); PEFT's own
 * defaults differ (alpha 8, dropout 0). QLoRA (Dettmers et al. 2023) finds that adapting every linear projection
 * ({@link #ALL_LINEAR}) is needed to match full fine-tuning.
 *
 * <p>Immutable and thread-safe. Made by {@link #builder()}; {@link #toBuilder()} derives variants.
 */
public final class LoraConfig {
    /** Every projection of a decoder layer: PEFT's {@code "all-linear"} for Qwen2/Llama (the output head excluded). */
    public static final Set<LoraTarget> ALL_LINEAR = Collections.unmodifiableSet(EnumSet.allOf(LoraTarget.class));

    private final int rank;
    private final double alpha;
    private final double dropout;
    private final Set<LoraTarget> targets;
    private final long seed;
    private final String baseModel;

    private LoraConfig(Builder b) {
        this.rank = b.rank;
        this.alpha = b.alpha;
        this.dropout = b.dropout;
        this.targets = Collections.unmodifiableSet(EnumSet.copyOf(b.targets));
        this.seed = b.seed;
        this.baseModel = b.baseModel;
    }

    /** A builder with the defaults above. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder that starts from this configuration; each property may be set once more. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.rank = rank;
        b.alpha = alpha;
        b.dropout = dropout;
        b.targets = EnumSet.copyOf(targets);
        b.seed = seed;
        b.baseModel = baseModel;
        return b;
    }

    /** The rank {@code r} of the update, {@code >= 1}. */
    public int rank() {
        return rank;
    }

    /** The scale numerator {@code α}; the update is multiplied by {@link #scaling()} {@code = α / r}. */
    public double alpha() {
        return alpha;
    }

    /** {@code α / r}, PEFT's {@code scaling} (without rsLoRA). */
    public double scaling() {
        return alpha / rank;
    }

    /** Probability that dropout zeroes an input element of the adapter, in {@code [0, 1)}; training mode only. */
    public double dropout() {
        return dropout;
    }

    /** The adapted projections (of every layer), in {@link LoraTarget} order. */
    public Set<LoraTarget> targets() {
        return targets;
    }

    /** The seed of the initialisation of the {@code A} matrices and of the dropout masks. */
    public long seed() {
        return seed;
    }

    /** The base model's name or path, written as {@code base_model_name_or_path}, if given. */
    public Optional<String> baseModel() {
        return Optional.ofNullable(baseModel);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LoraConfig c && rank == c.rank && Double.compare(alpha, c.alpha) == 0
                && Double.compare(dropout, c.dropout) == 0 && targets.equals(c.targets) && seed == c.seed
                && Objects.equals(baseModel, c.baseModel);
    }

    @Override
    public int hashCode() {
        return Objects.hash(rank, alpha, dropout, targets, seed, baseModel);
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "LoraConfig{r=%d, alpha=%s, dropout=%s, targets=%s, seed=%d, base=%s}",
                rank, alpha, dropout, targets, seed, baseModel);
    }

    /**
     * Builds a {@link LoraConfig}. Each property may be set once; {@link #build()} reports every problem at once.
     * Not thread-safe.
     */
    public static final class Builder {
        private final Set<String> set = new HashSet<>();
        private int rank = 8;
        private double alpha = 16;
        private double dropout = 0.05;
        private Set<LoraTarget> targets = EnumSet.of(LoraTarget.Q, LoraTarget.V);
        private long seed;
        private String baseModel;

        private Builder() {}

        private void once(String name) {
            if (!set.add(name)) {
                throw new IllegalStateException("LoraConfig." + name + " was already set");
            }
        }

        /** The rank {@code r}; default 8 (the LoRA paper's and PEFT's). */
        public Builder rank(int r) {
            once("rank");
            rank = r;
            return this;
        }

        /** {@code α}; default 16 ({@code α = 2r}, so the update is scaled by 2). */
        public Builder alpha(double a) {
            once("alpha");
            alpha = a;
            return this;
        }

        /** Dropout probability on the adapter's input in training mode; default 0.05. */
        public Builder dropout(double p) {
            once("dropout");
            dropout = p;
            return this;
        }

        /** The projections to adapt; default {@link LoraTarget#Q} and {@link LoraTarget#V}. */
        public Builder targets(Set<LoraTarget> t) {
            once("targets");
            targets = t.isEmpty() ? EnumSet.noneOf(LoraTarget.class) : EnumSet.copyOf(t);
            return this;
        }

        /** The projections to adapt; default {@link LoraTarget#Q} and {@link LoraTarget#V}. */
        public Builder targets(LoraTarget first, LoraTarget... rest) {
            return targets(EnumSet.of(first, rest));
        }

        /** Seed of the {@code A} initialisation and of the dropout masks; default 0. */
        public Builder seed(long s) {
            once("seed");
            seed = s;
            return this;
        }

        /** The base model's name or path for {@code base_model_name_or_path}; default none (written as null). */
        public Builder baseModel(String nameOrPath) {
            once("baseModel");
            baseModel = Objects.requireNonNull(nameOrPath, "nameOrPath");
            return this;
        }

        /**
         * Checks every property and builds the configuration.
         *
         * @throws IllegalArgumentException listing every problem with its value
         */
        public LoraConfig build() {
            List<String> problems = new ArrayList<>();
            if (rank < 1) {
                problems.add("rank is " + rank + "; it must be at least 1");
            }
            if (!(alpha > 0) || !Double.isFinite(alpha)) {
                problems.add("alpha is " + alpha + "; it must be a positive number");
            }
            if (!(dropout >= 0 && dropout < 1)) {
                problems.add("dropout is " + dropout + "; it must be in [0, 1)");
            }
            if (targets.isEmpty()) {
                problems.add("targets is empty; name at least one of " + LoraTarget.moduleNames());
            }
            if (!problems.isEmpty()) {
                throw new IllegalArgumentException("invalid LoRA config: " + String.join("; ", problems));
            }
            return new LoraConfig(this);
        }
    }
}
