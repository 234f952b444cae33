package ai.redstar.data.sample;

import ai.redstar.core.generate.Completion;
import ai.redstar.core.generate.GenerationRequest;
import ai.redstar.core.generate.GenerationResult;
import ai.redstar.core.generate.Generator;
import ai.redstar.core.generate.SamplingParams;
import ai.redstar.core.model.CausalLm;
import ai.redstar.core.tokenizer.ChatMessage;
import ai.redstar.core.tokenizer.ChatTokenizer;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.Semaphore;

/**
 * A teacher in this JVM: the conversation is rendered with the tokenizer's chat template (generation prompt added),
 * encoded, and completed {@code n} times in one batch by a {@link Generator} with the given {@link SamplingParams}
 * (their {@code samplesPerPrompt} and {@code seed} are replaced by each call's {@code n} and seed). Without stop
 * tokens in the parameters, generation stops at the model's EOS ids and the tokenizer's end-of-turn tokens.
 *
 * <p>Each sample's text is the decoded completion with special tokens skipped; when the chat template's generation
 * prompt ends with an opened {@code <think>} (QwQ, DeepSeek-R1 distills), the completion starts inside it and
 * {@code "<think>\n"} is put back in front, so that the trace is whole. The token count is the completion's length;
 * a completion cut at the limit is {@link FinishReason#LENGTH}.
 *
 * <pre>{@code
 * LocalSampler teacher = LocalSampler.builder(tokenizer, model,
 *         SamplingParams.builder(4096).temperature(0.7).topP(0.95).build()).build();
 * }</pre>
 *
 * <p>Uses but does not own or close the model and tokenizer. Thread-safe: at most {@link Builder#concurrency}
 * calls generate at once (default 1: one batch already uses the cores).
 */
public final class LocalSampler implements TraceSampler {
    private final ChatTokenizer tokenizer;
    private final Generator generator;
    private final SamplingParams params;
    private final Map<String, Object> templateVariables;
    private final String teacher;
    private final Semaphore permits;
    private final int concurrency;

    private LocalSampler(Builder b) {
        this.tokenizer = b.tokenizer;
        this.params = b.params;
        this.templateVariables = b.templateVariables == null ? Map.of() : Map.copyOf(b.templateVariables);
        this.teacher = b.teacher != null ? b.teacher
                : tokenizer.folder() != null && tokenizer.folder().getFileName() != null
                        ? tokenizer.folder().getFileName().toString() : "local";
        this.concurrency = b.concurrency == null ? 1 : b.concurrency;
        this.permits = new Semaphore(concurrency, true);
        Generator.Builder gb = Generator.builder(b.model).decoder(ids -> tokenizer.decode(ids, true));
        if (b.maxBatchRows != null) {
            gb.maxBatchRows(b.maxBatchRows);
        }
        this.generator = gb.build();
    }

    /** A builder sampling from {@code model} with {@code params} (their samples-per-prompt and seed are replaced). */
    public static Builder builder(ChatTokenizer tokenizer, CausalLm model, SamplingParams params) {
        return new Builder(tokenizer, model, params);
    }

    @Override
    public String teacher() {
        return teacher;
    }

    @Override
    public String settings() {
        return "LocalSampler{" + teacher + ", " + params + ", template variables " + new java.util.TreeMap<>(
                templateVariables) + "}";
    }

    public SamplingParams params() {
        return params;
    }

    @Override
    public List<Sample> sample(List<ChatMessage> messages, int n, long seed) {
        Objects.requireNonNull(messages, "messages");
        if (n < 1) {
            throw new IllegalArgumentException("n must be >= 1, got " + n);
        }
        String prompt = tokenizer.applyChatTemplate(messages, true, templateVariables);
        boolean opensThinking = prompt.stripTrailing().endsWith("<think>");
        int[] ids = tokenizer.encode(prompt);
        SamplingParams.Builder pb = params.toBuilder().samplesPerPrompt(n).seed(seed);
        if (params.stopTokenIds().isEmpty()) {
            Set<Integer> stops = new LinkedHashSet<>(generator.model().config().eosTokenIds());
            stops.addAll(tokenizer.endOfTurnTokenIds());
            pb.stopTokenIds(stops);
        }
        GenerationRequest request = GenerationRequest.of(ids, pb.build());
        GenerationResult result;
        try {
            permits.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SamplerException("interrupted while waiting to generate with " + teacher, false, e);
        }
        try {
            result = generator.generate(request);
        } finally {
            permits.release();
        }
        List<Sample> samples = new ArrayList<>(n);
        for (Completion c : result.completions()) {
            String text = c.text().orElseThrow(() -> new IllegalStateException("the generator returned no text"));
            if (opensThinking && !text.contains("<think>")) {
                text = "<think>\n" + text;
            }
            FinishReason finish = switch (c.finishReason()) {
                case STOP_TOKEN, STOP_STRING -> FinishReason.STOP;
                case LENGTH -> FinishReason.LENGTH;
            };
            samples.add(new Sample(java.util.Optional.empty(), text, finish, c.finishReason().name(),
                    OptionalInt.of(c.length())));
        }
        return List.copyOf(samples);
    }

    @Override
    public String toString() {
        return "LocalSampler{" + teacher + ", " + params + "}";
    }

    /** Settings of a {@link LocalSampler}; each may be set once. */
    public static final class Builder {
        private final ChatTokenizer tokenizer;
        private final CausalLm model;
        private final SamplingParams params;
        private String teacher;
        private Integer maxBatchRows;
        private Integer concurrency;
        private Map<String, ?> templateVariables;
        private final List<String> problems = new ArrayList<>();

        private Builder(ChatTokenizer tokenizer, CausalLm model, SamplingParams params) {
            this.tokenizer = Objects.requireNonNull(tokenizer, "tokenizer");
            this.model = Objects.requireNonNull(model, "model");
            this.params = Objects.requireNonNull(params, "params");
        }

        private void once(Object current, String name) {
            if (current != null) {
                problems.add(name + " was set twice");
            }
        }

        /** The teacher's name in provenance (default: the tokenizer folder's name). */
        public Builder teacher(String name) {
            once(this.teacher, "teacher");
            this.teacher = Objects.requireNonNull(name, "name");
            return this;
        }

        /** Rows decoded at once by the generator (default: the generator's). */
        public Builder maxBatchRows(int rows) {
            once(this.maxBatchRows, "maxBatchRows");
            this.maxBatchRows = rows;
            return this;
        }

        /** Calls generating at once (default 1), in [1, 64]. */
        public Builder concurrency(int concurrency) {
            once(this.concurrency, "concurrency");
            this.concurrency = concurrency;
            return this;
        }

        /** Extra chat template variables, e.g. {@code Map.of("enable_thinking", true)} for Qwen3 (default none). */
        public Builder templateVariables(Map<String, ?> variables) {
            once(this.templateVariables, "templateVariables");
            this.templateVariables = Objects.requireNonNull(variables, "variables");
            return this;
        }

        /** @throws IllegalArgumentException naming every invalid setting */
        public LocalSampler build() {
            List<String> all = new ArrayList<>(problems);
            if (teacher != null && teacher.isBlank()) {
                all.add("teacher is blank");
            }
            if (concurrency != null && (concurrency < 1 || concurrency > 64)) {
                all.add("concurrency must be in [1, 64], was " + concurrency);
            }
            if (maxBatchRows != null && maxBatchRows < 1) {
                all.add("maxBatchRows must be >= 1, was " + maxBatchRows);
            }
            if (tokenizer.chatTemplate().isEmpty()) {
                all.add("the tokenizer in " + tokenizer.folder() + " has no usable chat template");
            }
            if (!all.isEmpty()) {
                throw new IllegalArgumentException("invalid LocalSampler settings: " + String.join("; ", all));
            }
            return new LocalSampler(this);
        }
    }
}
