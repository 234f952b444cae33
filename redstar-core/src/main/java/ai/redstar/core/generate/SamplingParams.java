package ai.redstar.core.generate;

import ai.redstar.core.checkpoint.GenerationConfig;
import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableSet;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How to sample the completions of one prompt: temperature, top-k, top-p (nucleus), length, stop conditions, number
 * of samples and seed.
 *
 * <p>Immutable and thread-safe. Made by {@link #builder(int)}; {@link #toBuilder()} derives variants. The sampled
 * distribution at each step is {@code softmax(logits / temperature)}, restricted to the {@code topK} most likely
 * tokens, then to the smallest prefix (by decreasing probability) whose mass reaches {@code topP}, and renormalised;
 * this is the order of Hugging Face's and vLLM's logits processors. Temperature 0 means greedy decoding (argmax, ties
 * to the lowest token id), as in vLLM.
 *
 * <p>Randomness: sample {@code i} of a request draws from its own stream seeded by {@link #seed()}, the prompt's
 * token ids and {@code i} (see {@link Generator}), so a request's samples do not depend on which other requests share
 * its batch, and equal prompts with equal seeds give equal samples. <b>Vary the seed between rounds</b> (for example
 * the RL step number) when the same prompt must be sampled afresh.
 */
public final class SamplingParams {
    private static final Logger LOG = LoggerFactory.getLogger(SamplingParams.class);

    /**
     * Fields of {@code generation_config.json} that would change the outputs and are not implemented, with their
     * neutral values (a list-valued field is neutral when empty).
     */
    private static final Map<String, Double> NOT_APPLIED = Map.of("repetition_penalty", 1.0, "min_p", 0.0,
            "typical_p", 1.0, "epsilon_cutoff", 0.0, "eta_cutoff", 0.0, "no_repeat_ngram_size", 0.0, "num_beams", 1.0,
            "min_new_tokens", 0.0, "bad_words_ids", 0.0, "suppress_tokens", 0.0);

    private final double temperature;
    private final Integer topK;
    private final double topP;
    private final int maxNewTokens;
    private final ImmutableSet<Integer> stopTokenIds;
    private final ImmutableList<String> stopStrings;
    private final int samplesPerPrompt;
    private final long seed;

    private SamplingParams(Builder b) {
        this.temperature = b.temperature;
        this.topK = b.topK;
        this.topP = b.topP;
        this.maxNewTokens = b.maxNewTokens;
        this.stopTokenIds = b.stopTokenIds == null ? null : ImmutableSet.copyOf(b.stopTokenIds);
        this.stopStrings = ImmutableList.copyOf(b.stopStrings);
        this.samplesPerPrompt = b.samplesPerPrompt;
        this.seed = b.seed;
    }

    /**
     * A builder with the given length limit and the defaults: temperature 1, no top-k, top-p 1, the model's EOS ids
     * as stop tokens, no stop strings, one sample per prompt, seed 0.
     *
     * @param maxNewTokens the most tokens generated per completion (the stop token included); at least 1
     */
    public static Builder builder(int maxNewTokens) {
        return new Builder(maxNewTokens);
    }

    /**
     * A builder preset with a model folder's {@code generation_config.json}, read as transformers does:
     * {@code do_sample} false or absent means greedy decoding; otherwise {@code temperature} (absent: 1),
     * {@code top_k} (absent: 50, as transformers; 0: no top-k) and {@code top_p} (absent: 1). A non-empty
     * {@code eos_token_id} becomes the stop tokens; {@code max_new_tokens}, when present, replaces
     * {@code maxNewTokens}. Fields this class does not implement, such as {@code repetition_penalty}, are not applied
     * (a warning names them). Every preset property may still be overridden once.
     *
     * @param maxNewTokens the length limit when the file sets none
     */
    public static Builder builder(GenerationConfig modelDefaults, int maxNewTokens) {
        Objects.requireNonNull(modelDefaults, "modelDefaults");
        Builder b = new Builder(modelDefaults.maxNewTokens() == null ? maxNewTokens : modelDefaults.maxNewTokens());
        if (Boolean.TRUE.equals(modelDefaults.doSample())) {
            b.temperature = modelDefaults.temperature() == null ? 1.0 : modelDefaults.temperature();
            int k = modelDefaults.topK() == null ? 50 : modelDefaults.topK();
            b.topK = k == 0 ? null : k;
            b.topP = modelDefaults.topP() == null ? 1.0 : modelDefaults.topP();
        } else {
            b.temperature = 0;
        }
        if (!modelDefaults.eosTokenIds().isEmpty()) {
            b.stopTokenIds = new ArrayList<>(modelDefaults.eosTokenIds());
        }
        JsonObject extra = modelDefaults.extraFields();
        for (Map.Entry<String, Double> field : NOT_APPLIED.entrySet()) {
            JsonElement value = extra.get(field.getKey());
            boolean neutral = value == null || value.isJsonNull()
                    || value.isJsonArray() && value.getAsJsonArray().isEmpty()
                    || value.isJsonPrimitive() && value.getAsJsonPrimitive().isNumber()
                            && value.getAsDouble() == field.getValue();
            if (!neutral) {
                LOG.warn("generation_config.json sets '{}' = {}, which SamplingParams does not apply",
                        field.getKey(), value);
            }
        }
        return b;
    }

    /** Greedy decoding (temperature 0) of at most {@code maxNewTokens} tokens, stopping at the model's EOS ids. */
    public static SamplingParams greedy(int maxNewTokens) {
        return builder(maxNewTokens).temperature(0).build();
    }

    /** A builder that starts from these parameters; each property may be overridden once. */
    public Builder toBuilder() {
        Builder b = new Builder(maxNewTokens);
        b.temperature = temperature;
        b.topK = topK;
        b.topP = topP;
        b.stopTokenIds = stopTokenIds == null ? null : new ArrayList<>(stopTokenIds);
        b.stopStrings = new ArrayList<>(stopStrings);
        b.samplesPerPrompt = samplesPerPrompt;
        b.seed = seed;
        b.set.clear();
        return b;
    }

    /** Divisor of the logits before the softmax; 0 means greedy decoding. Default 1. */
    public double temperature() {
        return temperature;
    }

    /** Whether this is greedy decoding (temperature 0). */
    public boolean isGreedy() {
        return temperature == 0;
    }

    /** Sample only among the {@code k} most likely tokens; empty (the default) keeps the whole vocabulary. */
    public OptionalInt topK() {
        return topK == null ? OptionalInt.empty() : OptionalInt.of(topK);
    }

    /**
     * Nucleus sampling: keep the most likely tokens until their probability mass reaches {@code topP} (the token
     * that crosses it included, so at least one is kept), in (0, 1]. Default 1 (no truncation).
     */
    public double topP() {
        return topP;
    }

    /** The most tokens generated per completion, the stop token included. */
    public int maxNewTokens() {
        return maxNewTokens;
    }

    /**
     * Token ids that end a completion (kept as its last token); empty when not set, meaning the model's
     * {@code eos_token_id}s. An explicitly empty set means no stop token.
     */
    public Optional<Set<Integer>> stopTokenIds() {
        return Optional.ofNullable(stopTokenIds);
    }

    /** Strings that end a completion when its decoded text contains one; default none. Needs a {@link TokenDecoder}. */
    public List<String> stopStrings() {
        return stopStrings;
    }

    /** Completions sampled per prompt (the {@code n} of vLLM / OpenAI); default 1. */
    public int samplesPerPrompt() {
        return samplesPerPrompt;
    }

    /** Seed of the sampling streams; default 0. Ignored by greedy decoding. */
    public long seed() {
        return seed;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SamplingParams p
                && Double.compare(temperature, p.temperature) == 0
                && Objects.equals(topK, p.topK)
                && Double.compare(topP, p.topP) == 0
                && maxNewTokens == p.maxNewTokens
                && Objects.equals(stopTokenIds, p.stopTokenIds)
                && stopStrings.equals(p.stopStrings)
                && samplesPerPrompt == p.samplesPerPrompt
                && seed == p.seed;
    }

    @Override
    public int hashCode() {
        return Objects.hash(temperature, topK, topP, maxNewTokens, stopTokenIds, stopStrings, samplesPerPrompt, seed);
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT,
                "SamplingParams{temperature=%s, topK=%s, topP=%s, maxNewTokens=%d, stopTokenIds=%s, stopStrings=%s, "
                        + "samplesPerPrompt=%d, seed=%d}",
                temperature, topK == null ? "all" : topK, topP, maxNewTokens,
                stopTokenIds == null ? "model EOS" : stopTokenIds, stopStrings, samplesPerPrompt, seed);
    }

    /** Builds {@link SamplingParams}; each property may be set once; {@link #build()} reports every problem. */
    public static final class Builder {
        private final Set<String> set = new HashSet<>();
        private double temperature = 1.0;
        private Integer topK;
        private double topP = 1.0;
        private int maxNewTokens;
        private List<Integer> stopTokenIds;
        private List<String> stopStrings = new ArrayList<>();
        private int samplesPerPrompt = 1;
        private long seed;

        private Builder(int maxNewTokens) {
            this.maxNewTokens = maxNewTokens;
        }

        private void once(String name) {
            if (!set.add(name)) {
                throw new IllegalStateException("SamplingParams." + name + " was already set");
            }
        }

        /** Divisor of the logits, finite and at least 0; 0 selects greedy decoding. Default 1. */
        public Builder temperature(double v) {
            once("temperature");
            temperature = v;
            return this;
        }

        /** Keep only the {@code k} most likely tokens, {@code k >= 1}. Default: the whole vocabulary. */
        public Builder topK(int k) {
            once("topK");
            topK = k;
            return this;
        }

        /** Nucleus mass in (0, 1]. Default 1. */
        public Builder topP(double p) {
            once("topP");
            topP = p;
            return this;
        }

        /** Replaces the model's EOS ids as stop tokens; pass none to stop on length and stop strings only. */
        public Builder stopTokenIds(int... ids) {
            once("stopTokenIds");
            List<Integer> list = new ArrayList<>();
            for (int id : ids) {
                list.add(id);
            }
            stopTokenIds = list;
            return this;
        }

        /** Replaces the model's EOS ids as stop tokens; an empty collection means no stop token. */
        public Builder stopTokenIds(Collection<Integer> ids) {
            once("stopTokenIds");
            stopTokenIds = new ArrayList<>(ids);
            return this;
        }

        /** Strings that end a completion; the text is cut before the first match. Default none. */
        public Builder stopStrings(String... strings) {
            return stopStrings(List.of(strings));
        }

        /** Strings that end a completion; the text is cut before the first match. Default none. */
        public Builder stopStrings(Collection<String> strings) {
            once("stopStrings");
            stopStrings = new ArrayList<>(strings);
            return this;
        }

        /** Completions per prompt, at least 1; more than 1 needs a temperature above 0. Default 1. */
        public Builder samplesPerPrompt(int n) {
            once("samplesPerPrompt");
            samplesPerPrompt = n;
            return this;
        }

        /** Seed of the sampling streams. Default 0. */
        public Builder seed(long s) {
            once("seed");
            seed = s;
            return this;
        }

        /**
         * Checks every property and builds the parameters.
         *
         * @throws IllegalArgumentException listing every problem, each naming the property and its value
         */
        public SamplingParams build() {
            List<String> problems = new ArrayList<>();
            if (!Double.isFinite(temperature) || temperature < 0) {
                problems.add("temperature is " + temperature + "; it must be a finite number >= 0 (0 = greedy)");
            }
            if (topK != null && topK < 1) {
                problems.add("topK is " + topK + "; it must be >= 1 (leave it unset to keep the whole vocabulary)");
            }
            if (!(topP > 0 && topP <= 1)) {
                problems.add("topP is " + topP + "; it must be in (0, 1] (1 = no nucleus truncation)");
            }
            if (maxNewTokens < 1) {
                problems.add("maxNewTokens is " + maxNewTokens + "; it must be >= 1");
            }
            if (samplesPerPrompt < 1) {
                problems.add("samplesPerPrompt is " + samplesPerPrompt + "; it must be >= 1");
            } else if (samplesPerPrompt > 1 && temperature == 0) {
                problems.add("samplesPerPrompt is " + samplesPerPrompt
                        + " with temperature 0 (greedy), which gives identical samples; set a temperature > 0 "
                        + "or samplesPerPrompt 1");
            }
            if (stopTokenIds != null) {
                for (Integer id : stopTokenIds) {
                    if (id == null || id < 0) {
                        problems.add("stopTokenIds holds " + id + "; token ids are >= 0");
                    }
                }
            }
            for (int i = 0; i < stopStrings.size(); i++) {
                String s = stopStrings.get(i);
                if (s == null || s.isEmpty()) {
                    problems.add("stopStrings[" + i + "] is " + (s == null ? "null" : "empty")
                            + "; a stop string must be non-empty");
                }
            }
            if (!problems.isEmpty()) {
                throw new IllegalArgumentException("invalid sampling parameters: " + String.join("; ", problems));
            }
            return new SamplingParams(this);
        }
    }
}
