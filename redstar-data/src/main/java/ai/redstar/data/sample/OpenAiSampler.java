package ai.redstar.data.sample;

import ai.redstar.core.tokenizer.ChatMessage;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A teacher behind an OpenAI-compatible chat-completions endpoint: vLLM, SGLang, llama.cpp's server, or a hosted
 * API. Each problem becomes {@code POST {baseUrl}/chat/completions} with {@code model}, {@code messages},
 * {@code n}, {@code temperature}, {@code top_p}, {@code max_tokens} and {@code seed} (plus any
 * {@linkplain Builder#extraBody extra fields}, such as vLLM's {@code top_k}).
 *
 * <pre>{@code
 * OpenAiSampler teacher = OpenAiSampler.builder(URI.create("http://localhost:8000/v1"), "Qwen/QwQ-32B")
 *         .apiKeyEnvironmentVariable("VLLM_API_KEY").temperature(0.7).topP(0.95).maxTokens(16384)
 *         .concurrency(32).build();
 * }</pre>
 *
 * <p>What is kept of each choice: {@code message.content}, {@code message.reasoning_content} (or
 * {@code message.reasoning}) where a reasoning parser puts the thinking (see {@link Sample#text()}: the trace is the
 * reasoning in {@code <think>} tags followed by the content), {@code finish_reason}, and, for single-choice
 * requests, {@code usage.completion_tokens}. When a server returns fewer choices than asked (some ignore {@code n}),
 * further requests are made, each with the next seed, until there are {@code n}.
 *
 * <p>Failures. At most {@link Builder#concurrency} requests are in flight at once across all threads. A request that
 * gets HTTP 429 or 5xx, times out, loses its connection, or gets an answer that is not a chat completion (malformed
 * JSON, no {@code choices}) is retried up to {@link Builder#maxRetries} times, after a wait that doubles from
 * {@link Builder#initialBackoff} up to {@link Builder#maxBackoff} with random jitter (half to all of it), or, when
 * the server sends {@code retry-after-ms} or {@code Retry-After} (seconds or an HTTP date), after that long (at most
 * {@link Builder#maxRetryAfter}). Other statuses (400, 401, 404, ...) fail at once. Failures are thrown as
 * {@link SamplerException} naming the endpoint, the status or error, the attempts and an excerpt of the answer.
 *
 * <p>Immutable and thread-safe.
 */
public final class OpenAiSampler implements TraceSampler {
    private static final Logger LOG = LoggerFactory.getLogger(OpenAiSampler.class);
    private static final int EXCERPT = 300;

    private final URI endpoint;
    private final String model;
    private final String apiKey;
    private final String apiKeyVariable;
    private final double temperature;
    private final double topP;
    private final int maxTokens;
    private final int choicesPerRequest;
    private final boolean sendSeed;
    private final int concurrency;
    private final Duration connectTimeout;
    private final Duration requestTimeout;
    private final int maxRetries;
    private final Duration initialBackoff;
    private final Duration maxBackoff;
    private final Duration maxRetryAfter;
    private final JsonObject extraBody;
    private final Semaphore inFlight;
    private final HttpClient client;

    private OpenAiSampler(Builder b, String apiKey) {
        String base = b.baseUrl.toString();
        this.endpoint = URI.create((base.endsWith("/") ? base.substring(0, base.length() - 1) : base)
                + "/chat/completions");
        this.model = b.model;
        this.apiKey = apiKey;
        this.apiKeyVariable = b.apiKeyVariable;
        this.temperature = b.temperature == null ? 0.7 : b.temperature;
        this.topP = b.topP == null ? 0.95 : b.topP;
        this.maxTokens = b.maxTokens == null ? 16_384 : b.maxTokens;
        this.choicesPerRequest = b.choicesPerRequest == null ? Integer.MAX_VALUE : b.choicesPerRequest;
        this.sendSeed = b.sendSeed == null || b.sendSeed;
        this.concurrency = b.concurrency == null ? 8 : b.concurrency;
        this.connectTimeout = b.connectTimeout == null ? Duration.ofSeconds(10) : b.connectTimeout;
        this.requestTimeout = b.requestTimeout == null ? Duration.ofMinutes(30) : b.requestTimeout;
        this.maxRetries = b.maxRetries == null ? 6 : b.maxRetries;
        this.initialBackoff = b.initialBackoff == null ? Duration.ofSeconds(1) : b.initialBackoff;
        this.maxBackoff = b.maxBackoff == null ? Duration.ofMinutes(1) : b.maxBackoff;
        this.maxRetryAfter = b.maxRetryAfter == null ? Duration.ofMinutes(5) : b.maxRetryAfter;
        this.extraBody = b.extraBody == null ? new JsonObject() : b.extraBody.deepCopy();
        this.inFlight = new Semaphore(concurrency, true);
        this.client = HttpClient.newBuilder().connectTimeout(connectTimeout).version(HttpClient.Version.HTTP_1_1)
                .build();
    }

    /**
     * A builder for the server at {@code baseUrl} (up to and including the API version, e.g.
     * {@code http://localhost:8000/v1}) serving {@code model}.
     */
    public static Builder builder(URI baseUrl, String model) {
        return new Builder(baseUrl, model);
    }

    /** The model name. */
    @Override
    public String teacher() {
        return model;
    }

    @Override
    public String settings() {
        return "OpenAiSampler{model=" + model + ", temperature=" + temperature + ", top_p=" + topP + ", max_tokens="
                + maxTokens + ", seed=" + sendSeed + (extraBody.size() == 0 ? "" : ", extra=" + extraBody) + "}";
    }

    /** The chat-completions URL requests go to. */
    public URI endpoint() {
        return endpoint;
    }

    public double temperature() {
        return temperature;
    }

    public double topP() {
        return topP;
    }

    public int maxTokens() {
        return maxTokens;
    }

    public int concurrency() {
        return concurrency;
    }

    public int maxRetries() {
        return maxRetries;
    }

    /** The extra request fields (a copy). */
    public JsonObject extraBody() {
        return extraBody.deepCopy();
    }

    @Override
    public List<Sample> sample(List<ChatMessage> messages, int n, long seed) {
        Objects.requireNonNull(messages, "messages");
        if (n < 1) {
            throw new IllegalArgumentException("n must be >= 1, got " + n);
        }
        List<Sample> samples = new ArrayList<>(n);
        // every request returns at least one choice or throws, so this loop makes at most n requests
        for (int request = 0; samples.size() < n; request++) {
            int want = Math.min(choicesPerRequest, n - samples.size());
            List<Sample> got = post(body(messages, want, seed + request));
            samples.addAll(got.subList(0, Math.min(got.size(), n - samples.size())));
        }
        return List.copyOf(samples);
    }

    private String body(List<ChatMessage> messages, int n, long seed) {
        JsonObject body = new JsonObject();
        body.addProperty("model", model);
        JsonArray array = new JsonArray();
        for (ChatMessage m : messages) {
            JsonObject o = new JsonObject();
            o.addProperty("role", m.role().wireName());
            o.addProperty("content", m.content());
            array.add(o);
        }
        body.add("messages", array);
        body.addProperty("n", n);
        body.addProperty("temperature", temperature);
        body.addProperty("top_p", topP);
        body.addProperty("max_tokens", maxTokens);
        if (sendSeed) {
            body.addProperty("seed", seed);
        }
        body.addProperty("stream", false);
        for (Map.Entry<String, JsonElement> e : extraBody.entrySet()) {
            body.add(e.getKey(), e.getValue().deepCopy());
        }
        return body.toString();
    }

    /** One request with its retries. */
    private List<Sample> post(String body) {
        HttpRequest.Builder rb = HttpRequest.newBuilder(endpoint).timeout(requestTimeout)
                .header("Content-Type", "application/json").header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        if (apiKey != null) {
            rb.header("Authorization", "Bearer " + apiKey);
        }
        HttpRequest request = rb.build();
        String lastProblem = "";
        for (int attempt = 1; ; attempt++) {
            OptionalLong retryAfterMillis = OptionalLong.empty();
            try {
                inFlight.acquire();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SamplerException("interrupted while waiting to call " + endpoint, false, e);
            }
            try {
                HttpResponse<String> response = client.send(request,
                        HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
                int status = response.statusCode();
                if (status == 200) {
                    try {
                        return parse(response.body());
                    } catch (MalformedAnswer e) {
                        lastProblem = "HTTP 200 with an answer that is not a chat completion (" + e.getMessage()
                                + "): " + excerpt(response.body());
                    }
                } else if (status == 429 || status >= 500) {
                    lastProblem = "HTTP " + status + ": " + excerpt(response.body());
                    retryAfterMillis = retryAfter(response);
                } else {
                    throw new SamplerException("POST " + endpoint + " failed with HTTP " + status
                            + " (not retried: the server refuses this request" + hint(status) + "): "
                            + excerpt(response.body()), false);
                }
            } catch (HttpTimeoutException e) {
                lastProblem = "no answer within the request timeout of " + requestTimeout.toMillis() + " ms ("
                        + e.getMessage() + ")";
            } catch (IOException e) {
                lastProblem = "connection failed or dropped (" + e.getClass().getSimpleName() + ": " + e.getMessage()
                        + ")";
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SamplerException("interrupted while calling " + endpoint, false, e);
            } finally {
                inFlight.release();
            }
            if (attempt > maxRetries) {
                throw new SamplerException("POST " + endpoint + " failed after " + attempt + " attempts ("
                        + maxRetries + " retries); last: " + lastProblem, true);
            }
            long wait = retryAfterMillis.isPresent() ? Math.min(retryAfterMillis.getAsLong(), maxRetryAfter.toMillis())
                    : backoff(attempt);
            LOG.warn("POST {} attempt {} of {}: {}; retrying in {} ms", endpoint, attempt, maxRetries + 1,
                    lastProblem, wait);
            try {
                Thread.sleep(wait);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SamplerException("interrupted while waiting to retry " + endpoint + " (" + lastProblem + ")",
                        false, e);
            }
        }
    }

    /** The wait before retry {@code attempt} (1-based): half to all of min(max, initial * 2^(attempt-1)). */
    long backoff(int attempt) {
        double full = Math.min(maxBackoff.toMillis(), initialBackoff.toMillis() * Math.pow(2, attempt - 1));
        return Math.round(full / 2 + ThreadLocalRandom.current().nextDouble() * full / 2);
    }

    private static String hint(int status) {
        return switch (status) {
            case 401, 403 -> "; check the API key and its environment variable";
            case 404 -> "; check the base URL (it ends with the API version, e.g. /v1) and the model name";
            case 400, 422 -> "; check the sampling settings and extra body fields";
            default -> "";
        };
    }

    /** The server's requested wait: {@code retry-after-ms}, else {@code Retry-After} in seconds or as an HTTP date. */
    static OptionalLong retryAfter(HttpResponse<?> response) {
        Optional<String> ms = response.headers().firstValue("retry-after-ms");
        if (ms.isPresent()) {
            try {
                double v = Double.parseDouble(ms.get().strip());
                if (v >= 0 && Double.isFinite(v)) {
                    return OptionalLong.of((long) Math.ceil(v));
                }
            } catch (NumberFormatException ignored) {
                // fall through to Retry-After
            }
        }
        Optional<String> header = response.headers().firstValue("retry-after");
        if (header.isEmpty()) {
            return OptionalLong.empty();
        }
        String value = header.get().strip();
        try {
            double seconds = Double.parseDouble(value);
            return seconds >= 0 && Double.isFinite(seconds) ? OptionalLong.of((long) Math.ceil(seconds * 1000))
                    : OptionalLong.empty();
        } catch (NumberFormatException notSeconds) {
            try {
                ZonedDateTime at = ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME);
                return OptionalLong.of(Math.max(0, Duration.between(ZonedDateTime.now(at.getZone()), at).toMillis()));
            } catch (DateTimeParseException notDate) {
                LOG.warn("ignoring unreadable Retry-After header '{}'", value);
                return OptionalLong.empty();
            }
        }
    }

    /** The samples of a chat-completion answer, in choice order. */
    static List<Sample> parse(String body) throws MalformedAnswer {
        JsonObject root;
        try {
            JsonElement e = JsonParser.parseString(body);
            if (!e.isJsonObject()) {
                throw new MalformedAnswer("not a JSON object");
            }
            root = e.getAsJsonObject();
        } catch (JsonParseException e) {
            throw new MalformedAnswer("malformed JSON: " + e.getMessage());
        }
        if (root.has("error") && !root.get("error").isJsonNull()) {
            throw new MalformedAnswer("the server reported an error");
        }
        JsonElement choicesElement = root.get("choices");
        if (choicesElement == null || !choicesElement.isJsonArray() || choicesElement.getAsJsonArray().isEmpty()) {
            throw new MalformedAnswer("no 'choices'");
        }
        JsonArray choices = choicesElement.getAsJsonArray();
        OptionalInt tokens = OptionalInt.empty();
        if (choices.size() == 1 && root.get("usage") instanceof JsonObject usage
                && usage.get("completion_tokens") != null && usage.get("completion_tokens").isJsonPrimitive()) {
            try {
                tokens = OptionalInt.of(usage.get("completion_tokens").getAsInt());
            } catch (NumberFormatException ignored) {
                // no token count
            }
        }
        List<IndexedSample> out = new ArrayList<>();
        for (int i = 0; i < choices.size(); i++) {
            if (!(choices.get(i) instanceof JsonObject choice) || !(choice.get("message") instanceof JsonObject message)) {
                throw new MalformedAnswer("choices[" + i + "] has no 'message' object");
            }
            String content = string(message, "content", i).orElse("");
            Optional<String> reasoning = string(message, "reasoning_content", i);
            if (reasoning.isEmpty()) {
                reasoning = string(message, "reasoning", i);
            }
            Optional<String> finish = string(choice, "finish_reason", i);
            int index = choice.get("index") != null && choice.get("index").isJsonPrimitive()
                    && choice.get("index").getAsJsonPrimitive().isNumber() ? choice.get("index").getAsInt() : i;
            out.add(new IndexedSample(index, new Sample(reasoning, content,
                    FinishReason.fromOpenAi(finish.orElse(null)), finish.orElse(""), tokens)));
        }
        out.sort(Comparator.comparingInt(IndexedSample::index));
        return out.stream().map(IndexedSample::sample).toList();
    }

    private record IndexedSample(int index, Sample sample) {
    }

    private static Optional<String> string(JsonObject o, String field, int choice) throws MalformedAnswer {
        JsonElement e = o.get(field);
        if (e == null || e.isJsonNull()) {
            return Optional.empty();
        }
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
            throw new MalformedAnswer("choices[" + choice + "]." + field + " is not a string");
        }
        return Optional.of(e.getAsString());
    }

    private static String excerpt(String body) {
        if (body == null || body.isEmpty()) {
            return "(empty body)";
        }
        String flat = body.replace('\n', ' ');
        return flat.length() <= EXCERPT ? flat : flat.substring(0, EXCERPT) + "... (" + body.length() + " chars)";
    }

    /** An HTTP 200 answer that is not a chat completion. */
    static final class MalformedAnswer extends Exception {
        private static final long serialVersionUID = 1L;

        MalformedAnswer(String message) {
            super(message);
        }
    }

    @Override
    public String toString() {
        return "OpenAiSampler{" + model + " at " + endpoint + ", temperature=" + temperature + ", top_p=" + topP
                + ", max_tokens=" + maxTokens + (extraBody.size() == 0 ? "" : ", extra=" + extraBody)
                + (apiKeyVariable == null ? "" : ", key from $" + apiKeyVariable) + "}";
    }

    /** Settings of an {@link OpenAiSampler}; each may be set once; {@link #build()} reports every problem at once. */
    public static final class Builder {
        private static final java.util.Set<String> OWN_FIELDS = java.util.Set.of("model", "messages", "n",
                "temperature", "top_p", "max_tokens", "seed", "stream");

        private final URI baseUrl;
        private final String model;
        private String apiKeyVariable;
        private Function<String, String> environment = System::getenv;
        private Double temperature;
        private Double topP;
        private Integer maxTokens;
        private Integer choicesPerRequest;
        private Boolean sendSeed;
        private Integer concurrency;
        private Duration connectTimeout;
        private Duration requestTimeout;
        private Integer maxRetries;
        private Duration initialBackoff;
        private Duration maxBackoff;
        private Duration maxRetryAfter;
        private JsonObject extraBody;
        private final List<String> problems = new ArrayList<>();

        private Builder(URI baseUrl, String model) {
            this.baseUrl = Objects.requireNonNull(baseUrl, "baseUrl");
            this.model = Objects.requireNonNull(model, "model");
        }

        private void once(Object current, String name) {
            if (current != null) {
                problems.add(name + " was set twice");
            }
        }

        /**
         * The environment variable holding the API key, sent as {@code Authorization: Bearer <key>} (default: no
         * key). The variable is read once, by {@link #build()}; the key never appears in messages or logs.
         */
        public Builder apiKeyEnvironmentVariable(String name) {
            once(this.apiKeyVariable, "apiKeyEnvironmentVariable");
            this.apiKeyVariable = Objects.requireNonNull(name, "name");
            return this;
        }

        /** Where environment variables are read from (default {@link System#getenv(String)}); for tests. */
        Builder environment(Function<String, String> environment) {
            this.environment = Objects.requireNonNull(environment, "environment");
            return this;
        }

        /** Sampling temperature in [0, 2] (default 0.7, what QwQ and DeepSeek-R1 recommend for reasoning). */
        public Builder temperature(double temperature) {
            once(this.temperature, "temperature");
            this.temperature = temperature;
            return this;
        }

        /** Nucleus mass in (0, 1] (default 0.95). */
        public Builder topP(double topP) {
            once(this.topP, "topP");
            this.topP = topP;
            return this;
        }

        /** The most tokens per response, reasoning included (default 16,384). */
        public Builder maxTokens(int maxTokens) {
            once(this.maxTokens, "maxTokens");
            this.maxTokens = maxTokens;
            return this;
        }

        /**
         * The most choices asked in one request (default: all {@code n} at once); 1 for servers that ignore
         * {@code n}.
         */
        public Builder choicesPerRequest(int choices) {
            once(this.choicesPerRequest, "choicesPerRequest");
            this.choicesPerRequest = choices;
            return this;
        }

        /** Whether to send {@code seed} (default true; vLLM and SGLang honour it; turn off for APIs that reject it). */
        public Builder sendSeed(boolean sendSeed) {
            once(this.sendSeed, "sendSeed");
            this.sendSeed = sendSeed;
            return this;
        }

        /** The most requests in flight at once, over all threads (default 8), in [1, 4096]. */
        public Builder concurrency(int concurrency) {
            once(this.concurrency, "concurrency");
            this.concurrency = concurrency;
            return this;
        }

        /** How long to wait for a connection (default 10 s). */
        public Builder connectTimeout(Duration timeout) {
            once(this.connectTimeout, "connectTimeout");
            this.connectTimeout = Objects.requireNonNull(timeout, "timeout");
            return this;
        }

        /** How long to wait for the answer to one request (default 30 min: long traces take long). */
        public Builder requestTimeout(Duration timeout) {
            once(this.requestTimeout, "requestTimeout");
            this.requestTimeout = Objects.requireNonNull(timeout, "timeout");
            return this;
        }

        /** Retries of a failed request after the first attempt (default 6), in [0, 100]. */
        public Builder maxRetries(int retries) {
            once(this.maxRetries, "maxRetries");
            this.maxRetries = retries;
            return this;
        }

        /** The first backoff wait (default 1 s); each retry doubles it, with jitter. */
        public Builder initialBackoff(Duration backoff) {
            once(this.initialBackoff, "initialBackoff");
            this.initialBackoff = Objects.requireNonNull(backoff, "backoff");
            return this;
        }

        /** The longest backoff wait (default 1 min). */
        public Builder maxBackoff(Duration backoff) {
            once(this.maxBackoff, "maxBackoff");
            this.maxBackoff = Objects.requireNonNull(backoff, "backoff");
            return this;
        }

        /** The longest wait a server's {@code Retry-After} may impose (default 5 min). */
        public Builder maxRetryAfter(Duration wait) {
            once(this.maxRetryAfter, "maxRetryAfter");
            this.maxRetryAfter = Objects.requireNonNull(wait, "wait");
            return this;
        }

        /**
         * Further request fields, such as vLLM's {@code {"top_k": 20, "repetition_penalty": 1.05}} or
         * {@code chat_template_kwargs}; they may not repeat the fields this class sets.
         */
        public Builder extraBody(JsonObject fields) {
            once(this.extraBody, "extraBody");
            this.extraBody = Objects.requireNonNull(fields, "fields").deepCopy();
            return this;
        }

        /**
         * @throws IllegalArgumentException naming every invalid setting, including an API key variable that is not
         *     set
         */
        public OpenAiSampler build() {
            List<String> all = new ArrayList<>(problems);
            String scheme = baseUrl.getScheme() == null ? "" : baseUrl.getScheme().toLowerCase(Locale.ROOT);
            if (!scheme.equals("http") && !scheme.equals("https") || baseUrl.getHost() == null) {
                all.add("baseUrl must be an http(s) URL such as http://localhost:8000/v1, was " + baseUrl);
            }
            if (baseUrl.getQuery() != null || baseUrl.getFragment() != null) {
                all.add("baseUrl must not have a query or fragment, was " + baseUrl);
            }
            if (model.isBlank()) {
                all.add("model is blank");
            }
            if (temperature != null && !(temperature >= 0 && temperature <= 2)) {
                all.add("temperature must be in [0, 2], was " + temperature);
            }
            if (topP != null && !(topP > 0 && topP <= 1)) {
                all.add("topP must be in (0, 1], was " + topP);
            }
            if (maxTokens != null && maxTokens < 1) {
                all.add("maxTokens must be >= 1, was " + maxTokens);
            }
            if (choicesPerRequest != null && choicesPerRequest < 1) {
                all.add("choicesPerRequest must be >= 1, was " + choicesPerRequest);
            }
            if (concurrency != null && (concurrency < 1 || concurrency > 4096)) {
                all.add("concurrency must be in [1, 4096], was " + concurrency);
            }
            if (maxRetries != null && (maxRetries < 0 || maxRetries > 100)) {
                all.add("maxRetries must be in [0, 100], was " + maxRetries);
            }
            for (var d : List.of(Map.entry("connectTimeout", Optional.ofNullable(connectTimeout)),
                    Map.entry("requestTimeout", Optional.ofNullable(requestTimeout)),
                    Map.entry("initialBackoff", Optional.ofNullable(initialBackoff)),
                    Map.entry("maxBackoff", Optional.ofNullable(maxBackoff)),
                    Map.entry("maxRetryAfter", Optional.ofNullable(maxRetryAfter)))) {
                if (d.getValue().isPresent() && (d.getValue().get().isNegative() || d.getValue().get().isZero()
                        && !d.getKey().endsWith("Backoff"))) {
                    all.add(d.getKey() + " must be positive, was " + d.getValue().get());
                }
            }
            if (extraBody != null) {
                for (String key : extraBody.keySet()) {
                    if (OWN_FIELDS.contains(key)) {
                        all.add("extraBody field '" + key + "' is set by the sampler itself; use its builder method");
                    }
                }
            }
            String key = null;
            if (apiKeyVariable != null) {
                key = environment.apply(apiKeyVariable);
                if (key == null || key.isBlank()) {
                    all.add("environment variable " + apiKeyVariable + " (the API key) is not set or empty; export "
                            + "it before starting, or leave apiKeyEnvironmentVariable unset for servers without keys");
                }
            }
            if (!all.isEmpty()) {
                throw new IllegalArgumentException("invalid OpenAiSampler settings: " + String.join("; ", all));
            }
            return new OpenAiSampler(this, key == null ? null : key.strip());
        }
    }
}
