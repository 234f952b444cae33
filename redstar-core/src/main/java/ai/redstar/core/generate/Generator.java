package ai.redstar.core.generate;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import ai.redstar.core.model.AttentionMasks;
import ai.redstar.core.model.CausalLm;
import ai.redstar.core.model.KvCache;
import ai.redstar.core.model.ModelConfig;
import ai.redstar.core.vision.VisionLm;
import ai.redstar.core.vision.VisionLmConfig;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Batched sampling from a {@link CausalLm} with a KV cache: temperature, top-k, top-p, length limits, stop tokens,
 * stop strings, several samples per prompt, and seeds.
 *
 * <pre>{@code
 * Generator generator = Generator.builder(model).decoder(tokenizer::decode).build();
 * SamplingParams params = SamplingParams.builder(4096).temperature(0.7).topP(0.95).samplesPerPrompt(8).seed(step)
 *         .build();
 * List<GenerationResult> results = generator.generate(List.of(GenerationRequest.of(promptIds, params)));
 * }</pre>
 *
 * <p>How it runs. Requests are expanded into rows (one per sample) and processed in chunks of at most
 * {@link Builder#maxBatchRows(int)} rows, in request order. For each chunk the distinct prompts are left-padded into
 * one batch (segment ids = the 0/1 padding mask, positions = {@code cumsum(mask) - 1}) and prefilled once; their
 * cache rows are then replicated for each sample. Each decoding step feeds one token per unfinished row (segment 1,
 * position = the previous one + 1); the prefix is never recomputed. Rows that finish are dropped from the batch and
 * from the KV cache ({@link KvCache#keepRows}), so later steps run on fewer rows. Every forward pass runs in its own
 * {@link NDScope}, so memory stays flat; each step reads back one array (ids and log-probabilities).
 *
 * <p>Randomness. Sample {@code i} of a request draws one uniform per token from a {@link SplittableRandom} seeded by
 * {@link SamplingParams#seed()}, the prompt's token ids and {@code i}, and samples by inverse transform (see
 * {@code TokenSampler}). So the same request and seed give the same completions whatever else is in the batch
 * (up to floating-point differences between batch shapes, which can flip a draw lying within about 1e-6 of a
 * boundary), and different seeds or sample indices give independent ones.
 *
 * <p>Outputs: see {@link Completion} for what the token ids, log-probabilities and text hold.
 *
 * <p>Length. A completion is cut at {@link SamplingParams#maxNewTokens()} or where the prompt plus completion would
 * pass the model's {@code max_position_embeddings}, whichever comes first ({@link FinishReason#LENGTH}). The KV cache
 * of a chunk holds {@code (longest prompt + largest maxNewTokens) x rows} positions per layer; lower
 * {@code maxBatchRows} when that does not fit in memory.
 *
 * <p>Immutable and reusable. Each {@link #generate} call makes its own cache and managers, so calls from several
 * threads are safe as far as the model's forward pass is (it only reads the parameters) and the decoder is.
 */
public final class Generator {
    private static final Logger LOG = LoggerFactory.getLogger(Generator.class);

    /**
     * Prefill attention scores ({@code rows x heads x piece x promptLength} floats) are kept below this many elements
     * by prefilling long prompts in pieces.
     */
    static final long PREFILL_SCORE_ELEMENTS = 64L << 20;

    private final CausalLm model;
    private final VisionLm vision;
    private final TokenDecoder decoder;
    private final int maxBatchRows;
    private final Consumer<DecodeStep> listener;
    private final long prefillScoreElements;

    private Generator(Builder b) {
        this.model = b.model;
        this.vision = b.vision;
        this.decoder = b.decoder;
        this.maxBatchRows = b.maxBatchRows;
        this.listener = b.listener;
        this.prefillScoreElements = b.prefillScoreElements;
    }

    /** A builder for generating from {@code model}; the generator uses the model but does not own or close it. */
    public static Builder builder(CausalLm model) {
        return new Builder(Objects.requireNonNull(model, "model"), null);
    }

    /**
     * A builder for generating from a vision-language model; requests may then carry images
     * ({@link GenerationRequest#withImages}). Prompts are prefilled from {@link VisionLm#embed} (image features at
     * the placeholders) through the decoder's KV cache; decoding then runs on {@link VisionLm#decoder()} as for text.
     * The generator uses the model but does not own or close it.
     */
    public static Builder builder(VisionLm model) {
        Objects.requireNonNull(model, "model");
        return new Builder(model.decoder(), model);
    }

    public CausalLm model() {
        return model;
    }

    public int maxBatchRows() {
        return maxBatchRows;
    }

    /** Completes one request. */
    public GenerationResult generate(GenerationRequest request) {
        return generate(List.of(request)).get(0);
    }

    /**
     * Completes every request.
     *
     * @return one result per request, in the same order
     * @throws IllegalArgumentException listing every request that cannot run (token id outside the vocabulary,
     *     prompt too long for the model, stop strings without a decoder), before any work is done
     */
    public List<GenerationResult> generate(List<GenerationRequest> requests) {
        Objects.requireNonNull(requests, "requests");
        ModelConfig config = model.config();
        List<String> problems = new ArrayList<>();
        List<Row> rows = new ArrayList<>();
        for (int r = 0; r < requests.size(); r++) {
            GenerationRequest request = Objects.requireNonNull(requests.get(r), "requests[" + r + "]");
            Set<Integer> stops = check(r, request, config, problems);
            SamplingParams p = request.params();
            StopStringMatcher matcher = p.stopStrings().isEmpty() || decoder == null
                    ? null : new StopStringMatcher(p.stopStrings(), decoder);
            int maxNew = Math.min(p.maxNewTokens(), config.maxPositionEmbeddings() - request.promptLength());
            for (int s = 0; s < p.samplesPerPrompt(); s++) {
                rows.add(new Row(r, s, request, maxNew, stops, matcher));
            }
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("cannot generate: " + String.join("; ", problems));
        }
        // Parameters require gradients; PyTorch records on threads that never closed a collector. Inference only.
        boolean gradMode = JniUtils.isGradMode();
        if (gradMode) {
            JniUtils.setGradMode(false);
        }
        try {
            for (int start = 0, chunk = 0; start < rows.size(); start += maxBatchRows, chunk++) {
                runChunk(chunk, rows.subList(start, Math.min(rows.size(), start + maxBatchRows)));
            }
        } finally {
            if (gradMode) {
                JniUtils.setGradMode(true);
            }
        }
        List<List<Completion>> perRequest = new ArrayList<>();
        for (int r = 0; r < requests.size(); r++) {
            perRequest.add(new ArrayList<>());
        }
        for (Row row : rows) {
            perRequest.get(row.requestIndex).add(row.toCompletion(decoder));
        }
        List<GenerationResult> results = new ArrayList<>(requests.size());
        for (int r = 0; r < requests.size(); r++) {
            results.add(new GenerationResult(requests.get(r), perRequest.get(r)));
        }
        return results;
    }

    /** Adds the request's problems to {@code problems}; returns its stop token ids. */
    private Set<Integer> check(int r, GenerationRequest request, ModelConfig config, List<String> problems) {
        int vocab = config.vocabSize();
        int[] prompt = request.promptView();
        int imageToken = vision == null ? -1 : vision.config().imageTokenIndex();
        if (vision == null && request.imageCount() > 0) {
            problems.add(String.format(Locale.ROOT, "requests[%d] has %d image(s) but the generator was built on a"
                    + " text-only CausalLm; build it with Generator.builder(VisionLm)", r, request.imageCount()));
        }
        if (vision != null) {
            VisionLmConfig vc = vision.config();
            int placeholders = 0;
            for (int id : prompt) {
                if (id == imageToken) {
                    placeholders++;
                }
            }
            long needed = (long) request.imageCount() * vc.imageSeqLength();
            if (placeholders != needed) {
                problems.add(String.format(Locale.ROOT, "requests[%d]: the prompt holds %d image placeholder tokens"
                        + " (id %d) but %d image(s) x %d tokens per image = %d are needed", r, placeholders,
                        imageToken, request.imageCount(), vc.imageSeqLength(), needed));
            }
            Shape shape = request.imageShape();
            int size = vc.visionConfig().imageSize();
            if (shape != null && (shape.get(1) != vc.visionConfig().numChannels() || shape.get(2) != size
                    || shape.get(3) != size)) {
                problems.add(String.format(Locale.ROOT, "requests[%d]: images have shape %s; the model needs"
                        + " [n, %d, %d, %d]", r, shape, vc.visionConfig().numChannels(), size, size));
            }
        }
        for (int i = 0; i < prompt.length; i++) {
            if (prompt[i] >= vocab && prompt[i] != imageToken) {
                problems.add(String.format(Locale.ROOT, "requests[%d]: prompt token %d is id %d, outside the "
                        + "model's vocabulary [0, %d)", r, i, prompt[i], vocab));
                break;
            }
        }
        if (prompt.length >= config.maxPositionEmbeddings()) {
            problems.add(String.format(Locale.ROOT, "requests[%d]: the prompt has %d tokens, leaving no room under "
                    + "the model's max_position_embeddings %d; shorten the prompt", r, prompt.length,
                    config.maxPositionEmbeddings()));
        }
        SamplingParams p = request.params();
        Set<Integer> stops = p.stopTokenIds().orElseGet(() -> new HashSet<>(config.eosTokenIds()));
        for (int id : stops) {
            if (id >= vocab) {
                problems.add(String.format(Locale.ROOT, "requests[%d]: stop token id %d is outside the model's "
                        + "vocabulary [0, %d)", r, id, vocab));
            }
        }
        if (!p.stopStrings().isEmpty() && decoder == null) {
            problems.add(String.format(Locale.ROOT, "requests[%d]: stop strings %s need a TokenDecoder; set one "
                    + "with Generator.builder(model).decoder(tokenizer::decode)", r, p.stopStrings()));
        }
        return stops;
    }

    /** Generates every row of one chunk to completion. */
    private void runChunk(int chunk, List<Row> rows) {
        int n = rows.size();
        // Distinct prompts, in first-seen order; rowToPrompt maps each row to its prompt's prefill row.
        Map<PromptKey, Integer> distinct = new HashMap<>();
        List<int[]> prompts = new ArrayList<>();
        List<GenerationRequest> promptRequests = new ArrayList<>();
        long[] rowToPrompt = new long[n];
        int longest = 0;
        int capacityNew = 0;
        for (int i = 0; i < n; i++) {
            Row row = rows.get(i);
            int[] prompt = row.request.promptView();
            PromptKey key = new PromptKey(prompt, row.request.pixelView());
            Integer index = distinct.get(key);
            if (index == null) {
                index = prompts.size();
                distinct.put(key, index);
                prompts.add(prompt);
                promptRequests.add(row.request);
            }
            rowToPrompt[i] = index;
            longest = Math.max(longest, prompt.length);
            capacityNew = Math.max(capacityNew, row.maxNew);
        }
        int u = prompts.size();
        int vocab = model.config().vocabSize();
        try (NDManager manager = NDManager.newBaseManager(model.device());
                KvCache cache = model.newKvCache(u, longest + capacityNew, manager)) {
            // ---- prefill: every distinct prompt once, left-padded; long prompts in pieces to bound attention scores
            long[] ids = new long[u * longest];
            long[] mask = new long[u * longest];
            if (vision != null && vision.config().imageTokenIndex() == 0) {
                Arrays.fill(ids, 1); // padding must not read as an image placeholder
            }
            for (int p = 0; p < u; p++) {
                int[] prompt = prompts.get(p);
                int pad = longest - prompt.length;
                for (int j = 0; j < prompt.length; j++) {
                    ids[p * longest + pad + j] = prompt[j];
                    mask[p * longest + pad + j] = 1;
                }
            }
            long heads = model.config().numAttentionHeads();
            int piece = (int) Math.max(1, Math.min(longest, prefillScoreElements / (u * heads * longest)));
            TokenSampler.Sampled sampled;
            try (NDScope scope = new NDScope()) {
                scope.suppressNotUsedWarning();
                NDArray allIds = manager.create(ids, new Shape(u, longest));
                NDArray allMask = manager.create(mask, new Shape(u, longest));
                NDArray allPositions = AttentionMasks.positionsFromPaddingMask(allMask);
                NDArray embeddings = vision == null ? null
                        : vision.embed(allIds, pixelValues(manager, promptRequests));
                NDArray hidden = null;
                for (int from = 0; from < longest; from += piece) {
                    int to = Math.min(longest, from + piece);
                    NDIndex cols = new NDIndex().addAllDim().addSliceDim(from, to);
                    if (hidden != null) {
                        hidden.close();
                    }
                    hidden = embeddings == null
                            ? model.hiddenStates(allIds.get(cols), allPositions.get(cols), allMask.get(cols), cache)
                            : model.hiddenStatesFromEmbeddings(embeddings.get(new NDIndex().addAllDim()
                                    .addSliceDim(from, to).addAllDim()), allPositions.get(cols), allMask.get(cols),
                                    cache);
                }
                // Only the last position's logits are needed: [u, 1, hidden] -> [u, vocab].
                NDArray lastHidden = hidden.get(":, -1:, :");
                NDArray last = model.logits(lastHidden).reshape(u, vocab);
                if (n != u || !isIdentity(rowToPrompt)) {
                    NDArray index = manager.create(rowToPrompt);
                    cache.keepRows(index);
                    last = last.get(index);
                }
                sampled = sample(last, rows, allRows(n));
            }
            int[] active = allRows(n);
            int finished = record(rows, active, sampled);
            notify(chunk, 0, u, cache.length(), finished, n);
            // ---- decode: one token per unfinished row per step
            for (int step = 1; finished < n; step++) {
                int[] still = unfinished(rows, active);
                if (still.length < active.length) {
                    long[] keep = new long[still.length];
                    for (int i = 0, j = 0; i < active.length; i++) {
                        if (rows.get(active[i]).reason == null) {
                            keep[j++] = i;
                        }
                    }
                    try (NDArray index = manager.create(keep)) {
                        cache.keepRows(index);
                    }
                    active = still;
                }
                int b = active.length;
                long[] next = new long[b];
                long[] positions = new long[b];
                long[] segments = new long[b];
                for (int i = 0; i < b; i++) {
                    Row row = rows.get(active[i]);
                    next[i] = row.ids[row.length - 1];
                    positions[i] = row.request.promptLength() + row.length - 1L;
                    segments[i] = 1;
                }
                try (NDScope scope = new NDScope()) {
                    scope.suppressNotUsedWarning();
                    Shape column = new Shape(b, 1);
                    NDArray logits = model.forward(manager.create(next, column), manager.create(positions, column),
                            manager.create(segments, column), cache);
                    sampled = sample(logits.reshape(b, vocab), rows, active);
                }
                finished += record(rows, active, sampled);
                notify(chunk, step, b, cache.length(), finished, n);
            }
        }
    }

    /** The images of the distinct prompts, in prompt order, as one {@code [n, c, h, w]} array, or null if none. */
    private static NDArray pixelValues(NDManager manager, List<GenerationRequest> requests) {
        int images = 0;
        int length = 0;
        Shape one = null;
        for (GenerationRequest r : requests) {
            images += r.imageCount();
            length += r.pixelView().length;
            if (r.imageCount() > 0) {
                one = r.imageShape();
            }
        }
        if (images == 0) {
            return null;
        }
        float[] all = new float[length];
        int at = 0;
        for (GenerationRequest r : requests) {
            float[] p = r.pixelView();
            System.arraycopy(p, 0, all, at, p.length);
            at += p.length;
        }
        return manager.create(all, new Shape(images, one.get(1), one.get(2), one.get(3)));
    }

    private void notify(int chunk, int step, int rows, int cacheLength, int finished, int chunkRows) {
        if (listener != null) {
            listener.accept(new DecodeStep(chunk, step, rows, cacheLength, finished, chunkRows));
        } else if (LOG.isTraceEnabled()) {
            LOG.trace("chunk {} step {}: {} rows, cache length {}, {}/{} finished", chunk, step, rows, cacheLength,
                    finished, chunkRows);
        }
    }

    /** Samples one token for each active row from {@code logits [active.length, vocab]}. */
    private static TokenSampler.Sampled sample(NDArray logits, List<Row> rows, int[] active) {
        int b = active.length;
        double[] temperature = new double[b];
        int[] topK = new int[b];
        double[] topP = new double[b];
        double[] uniforms = new double[b];
        for (int i = 0; i < b; i++) {
            Row row = rows.get(active[i]);
            SamplingParams p = row.request.params();
            temperature[i] = p.temperature();
            topK[i] = p.topK().orElse(0);
            topP[i] = p.topP();
            uniforms[i] = p.isGreedy() ? 0 : row.random.nextDouble();
        }
        return TokenSampler.sample(logits, temperature, topK, topP, uniforms);
    }

    /** Appends the sampled tokens to their rows and ends the rows that stop; returns how many ended. */
    private static int record(List<Row> rows, int[] active, TokenSampler.Sampled sampled) {
        int ended = 0;
        for (int i = 0; i < active.length; i++) {
            Row row = rows.get(active[i]);
            row.append(sampled.tokens()[i], sampled.logProbs()[i], sampled.truncatedLogProbs()[i]);
            if (row.reason != null) {
                ended++;
            }
        }
        return ended;
    }

    private static int[] unfinished(List<Row> rows, int[] active) {
        return Arrays.stream(active).filter(i -> rows.get(i).reason == null).toArray();
    }

    private static int[] allRows(int n) {
        int[] all = new int[n];
        Arrays.setAll(all, i -> i);
        return all;
    }

    private static boolean isIdentity(long[] index) {
        for (int i = 0; i < index.length; i++) {
            if (index[i] != i) {
                return false;
            }
        }
        return true;
    }

    /** A prompt and its images as a hash key (content equality). */
    private record PromptKey(int[] ids, float[] pixels) {
        @Override
        public boolean equals(Object o) {
            return o instanceof PromptKey k && Arrays.equals(ids, k.ids) && Arrays.equals(pixels, k.pixels);
        }

        @Override
        public int hashCode() {
            return 31 * Arrays.hashCode(ids) + Arrays.hashCode(pixels);
        }
    }

    /** The growing state of one sample. Confined to the generating thread. */
    private static final class Row {
        final int requestIndex;
        final int sampleIndex;
        final GenerationRequest request;
        final int maxNew;
        final Set<Integer> stopTokens;
        final StopStringMatcher matcher;
        final SplittableRandom random;
        int[] ids = new int[16];
        float[] logProbs = new float[16];
        float[] truncatedLogProbs = new float[16];
        int length;
        FinishReason reason;
        StopStringMatcher.Match match;

        Row(int requestIndex, int sampleIndex, GenerationRequest request, int maxNew, Set<Integer> stopTokens,
                StopStringMatcher matcher) {
            this.requestIndex = requestIndex;
            this.sampleIndex = sampleIndex;
            this.request = request;
            this.maxNew = maxNew;
            this.stopTokens = stopTokens;
            this.matcher = matcher;
            this.random = SampleStreams.of(request.params().seed(), request.promptView(), sampleIndex);
        }

        void append(int token, float logProb, float truncatedLogProb) {
            if (length == ids.length) {
                int grown = Math.min(Math.max(16, 2 * length), Math.max(maxNew, 16));
                ids = Arrays.copyOf(ids, grown);
                logProbs = Arrays.copyOf(logProbs, grown);
                truncatedLogProbs = Arrays.copyOf(truncatedLogProbs, grown);
            }
            ids[length] = token;
            logProbs[length] = logProb;
            truncatedLogProbs[length] = truncatedLogProb;
            length++;
            if (stopTokens.contains(token)) {
                reason = FinishReason.STOP_TOKEN;
                return;
            }
            if (matcher != null) {
                match = matcher.find(ids, length);
                if (match != null) {
                    reason = FinishReason.STOP_STRING;
                    return;
                }
            }
            if (length >= maxNew) {
                reason = FinishReason.LENGTH;
            }
        }

        Completion toCompletion(TokenDecoder decoder) {
            String text = null;
            if (match != null) {
                text = match.textBefore();
            } else if (decoder != null) {
                int end = reason == FinishReason.STOP_TOKEN ? length - 1 : length;
                text = decoder.decode(Arrays.copyOf(ids, end));
            }
            return new Completion(sampleIndex, Arrays.copyOf(ids, length), Arrays.copyOf(logProbs, length),
                    Arrays.copyOf(truncatedLogProbs, length), reason, match == null ? null : match.stopString(),
                    text);
        }
    }

    /** Builds a {@link Generator}; each property may be set once. */
    public static final class Builder {
        private final CausalLm model;
        private final VisionLm vision;
        private final Set<String> set = new HashSet<>();
        private TokenDecoder decoder;
        private int maxBatchRows = 32;
        private Consumer<DecodeStep> listener;
        private long prefillScoreElements = PREFILL_SCORE_ELEMENTS;

        private Builder(CausalLm model, VisionLm vision) {
            this.model = model;
            this.vision = vision;
        }

        private void once(String name) {
            if (!set.add(name)) {
                throw new IllegalStateException("Generator." + name + " was already set");
            }
        }

        /**
         * Decodes completions, for stop strings and {@link Completion#text()}; usually {@code tokenizer::decode}.
         * Default none: requests with stop strings are then rejected and completions carry no text.
         */
        public Builder decoder(TokenDecoder decoder) {
            once("decoder");
            this.decoder = Objects.requireNonNull(decoder, "decoder");
            return this;
        }

        /**
         * The most rows (samples) decoded together, at least 1. Default 32. Larger batches raise throughput until
         * compute-bound, at the price of a KV cache of {@code rows x (prompt + maxNewTokens)} positions.
         */
        public Builder maxBatchRows(int rows) {
            once("maxBatchRows");
            this.maxBatchRows = rows;
            return this;
        }

        /** Called on the generating thread after every forward pass; default none. */
        public Builder listener(Consumer<DecodeStep> listener) {
            once("listener");
            this.listener = Objects.requireNonNull(listener, "listener");
            return this;
        }

        /** Test hook: a smaller bound on prefill attention scores, to exercise prefilling in pieces. */
        Builder prefillScoreElements(long elements) {
            once("prefillScoreElements");
            this.prefillScoreElements = elements;
            return this;
        }

        /**
         * Checks every property and builds the generator.
         *
         * @throws IllegalArgumentException listing every problem
         */
        public Generator build() {
            List<String> problems = new ArrayList<>();
            if (maxBatchRows < 1) {
                problems.add("maxBatchRows is " + maxBatchRows + "; it must be >= 1");
            }
            if (prefillScoreElements < 1) {
                problems.add("prefillScoreElements is " + prefillScoreElements + "; it must be >= 1");
            }
            if (!problems.isEmpty()) {
                throw new IllegalArgumentException("invalid generator: " + String.join("; ", problems));
            }
            return new Generator(this);
        }
    }
}
