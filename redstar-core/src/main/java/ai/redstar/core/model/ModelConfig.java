package ai.redstar.core.model;

import com.google.common.collect.ImmutableList;
import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The architecture of a Qwen2 or Llama decoder, read from and written to a Hugging Face {@code config.json}.
 *
 * <p>Immutable and thread-safe. Made by {@link #builder(ModelType)} (for models trained from scratch) or
 * {@link #read(Path)} / {@link #fromJson(String)}; {@link #toBuilder()} derives variants (for example a longer
 * context through {@link Builder#ropeScaling(RopeScaling)}). Fields of {@code config.json} this class does not model
 * are kept verbatim and written back, so a read-write round trip loses nothing.
 *
 * <p>Conventions of the two architectures, as in Hugging Face transformers:
 * <ul>
 *   <li>{@code qwen2}: q, k and v projections have a bias, the output projection none; no {@code head_dim} field
 *       (it is {@code hidden_size / num_attention_heads}); sliding-window attention is rejected.</li>
 *   <li>{@code llama}: {@code attention_bias} puts a bias on q, k, v and o; {@code mlp_bias} on the MLP;
 *       {@code head_dim} may differ from {@code hidden_size / num_attention_heads}.</li>
 * </ul>
 */
public final class ModelConfig {
    private static final Gson GSON = new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create();

    /** Fields this class models; everything else in {@code config.json} lands in {@link #extraFields()}. */
    private static final Set<String> MODELED = Set.of(
            "model_type", "vocab_size", "hidden_size", "intermediate_size", "num_hidden_layers",
            "num_attention_heads", "num_key_value_heads", "head_dim", "rope_theta", "rope_scaling", "rms_norm_eps",
            "tie_word_embeddings", "max_position_embeddings", "attention_bias", "mlp_bias", "bos_token_id",
            "eos_token_id", "torch_dtype", "hidden_act", "use_sliding_window");

    private final ModelType modelType;
    private final int vocabSize;
    private final int hiddenSize;
    private final int intermediateSize;
    private final int numHiddenLayers;
    private final int numAttentionHeads;
    private final int numKeyValueHeads;
    private final int headDim;
    private final double ropeTheta;
    private final RopeScaling ropeScaling;
    private final double rmsNormEps;
    private final boolean tieWordEmbeddings;
    private final int maxPositionEmbeddings;
    private final boolean attentionBias;
    private final boolean mlpBias;
    private final Integer bosTokenId;
    private final ImmutableList<Integer> eosTokenIds;
    private final String torchDtype;
    private final JsonObject extra;

    private ModelConfig(Builder b) {
        this.modelType = b.modelType;
        this.vocabSize = b.vocabSize;
        this.hiddenSize = b.hiddenSize;
        this.intermediateSize = b.intermediateSize;
        this.numHiddenLayers = b.numHiddenLayers;
        this.numAttentionHeads = b.numAttentionHeads;
        this.numKeyValueHeads = b.numKeyValueHeads == null ? b.numAttentionHeads : b.numKeyValueHeads;
        this.headDim = b.headDim == null ? b.hiddenSize / Math.max(1, b.numAttentionHeads) : b.headDim;
        this.ropeTheta = b.ropeTheta;
        this.ropeScaling = b.ropeScaling;
        this.rmsNormEps = b.rmsNormEps;
        this.tieWordEmbeddings = b.tieWordEmbeddings;
        this.maxPositionEmbeddings = b.maxPositionEmbeddings;
        this.attentionBias = b.attentionBias == null ? b.modelType == ModelType.QWEN2 : b.attentionBias;
        this.mlpBias = b.mlpBias;
        this.bosTokenId = b.bosTokenId;
        this.eosTokenIds = ImmutableList.copyOf(b.eosTokenIds);
        this.torchDtype = b.torchDtype;
        this.extra = b.extra.deepCopy();
    }

    /** A builder for a new architecture, with the defaults of Hugging Face's config class for {@code type}. */
    public static Builder builder(ModelType type) {
        return new Builder(Objects.requireNonNull(type, "type"));
    }

    /** A builder that starts from this configuration. */
    public Builder toBuilder() {
        Builder b = new Builder(modelType);
        b.vocabSize = vocabSize;
        b.hiddenSize = hiddenSize;
        b.intermediateSize = intermediateSize;
        b.numHiddenLayers = numHiddenLayers;
        b.numAttentionHeads = numAttentionHeads;
        b.numKeyValueHeads = numKeyValueHeads;
        // A head width equal to the default is treated as derived, so a variant with another width or head count
        // gets hiddenSize / numAttentionHeads again instead of a stale value.
        b.headDim = headDim == hiddenSize / numAttentionHeads ? null : headDim;
        b.ropeTheta = ropeTheta;
        b.ropeScaling = ropeScaling;
        b.rmsNormEps = rmsNormEps;
        b.tieWordEmbeddings = tieWordEmbeddings;
        b.maxPositionEmbeddings = maxPositionEmbeddings;
        b.attentionBias = attentionBias;
        b.mlpBias = mlpBias;
        b.bosTokenId = bosTokenId;
        b.eosTokenIds = new ArrayList<>(eosTokenIds);
        b.torchDtype = torchDtype;
        b.extra = extra.deepCopy();
        b.set.clear(); // a derived builder may override anything once
        return b;
    }

    /**
     * Reads a {@code config.json} file, or the {@code config.json} inside a model folder.
     *
     * @throws IllegalArgumentException naming the file, the field and its value when the content is not a
     *     supported, consistent configuration
     * @throws UncheckedIOException when the file cannot be read
     */
    public static ModelConfig read(Path fileOrFolder) {
        Path file = Files.isDirectory(fileOrFolder) ? fileOrFolder.resolve("config.json") : fileOrFolder;
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read model config " + file + ": " + e.getMessage(), e);
        }
        try {
            return fromJson(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Parses the text of a {@code config.json}. The sizes ({@code vocab_size}, {@code hidden_size},
     * {@code intermediate_size}, {@code num_hidden_layers}, {@code num_attention_heads}) are required; a missing
     * {@code num_key_value_heads} means one key/value head per query head, as in transformers; other missing fields
     * take Hugging Face's defaults.
     *
     * @throws IllegalArgumentException naming the field and its value when the text is not a supported,
     *     consistent configuration
     */
    public static ModelConfig fromJson(String json) {
        JsonElement root;
        try {
            root = JsonParser.parseString(json);
        } catch (JsonParseException | StackOverflowError e) {
            throw new IllegalArgumentException("config.json is not valid JSON: " + e.getMessage(), e);
        }
        if (root == null || !root.isJsonObject()) {
            throw new IllegalArgumentException("config.json must hold a JSON object, got: " + abbreviate(json));
        }
        JsonObject o = root.getAsJsonObject();
        JsonElement typeElement = o.get("model_type");
        if (typeElement == null || !typeElement.isJsonPrimitive()) {
            throw new IllegalArgumentException("field 'model_type' is missing or not a string; expected qwen2 or llama");
        }
        Builder b = builder(ModelType.fromHfName(typeElement.getAsString()));
        Fields f = new Fields(o);
        // The sizes have no meaningful default for a checkpoint: the builder's tiny ones would only fail later,
        // against the weights. transformers always writes them.
        for (String size : List.of("vocab_size", "hidden_size", "intermediate_size", "num_hidden_layers",
                "num_attention_heads")) {
            JsonElement value = o.get(size);
            if (value == null || value.isJsonNull()) {
                f.problems.add("field '" + size + "' is missing; a " + b.modelType.hfName()
                        + " config.json must give it");
            }
        }
        // As in transformers: no num_key_value_heads means one key/value head per query head (no grouping).
        b.numKeyValueHeads = null;
        f.integer("vocab_size").ifPresent(b::vocabSize);
        f.integer("hidden_size").ifPresent(b::hiddenSize);
        f.integer("intermediate_size").ifPresent(b::intermediateSize);
        f.integer("num_hidden_layers").ifPresent(b::numHiddenLayers);
        f.integer("num_attention_heads").ifPresent(b::numAttentionHeads);
        f.integer("num_key_value_heads").ifPresent(b::numKeyValueHeads);
        f.integer("head_dim").ifPresent(b::headDim);
        f.number("rope_theta").ifPresent(b::ropeTheta);
        f.number("rms_norm_eps").ifPresent(b::rmsNormEps);
        f.bool("tie_word_embeddings").ifPresent(b::tieWordEmbeddings);
        f.integer("max_position_embeddings").ifPresent(b::maxPositionEmbeddings);
        f.bool("attention_bias").ifPresent(b::attentionBias);
        f.bool("mlp_bias").ifPresent(b::mlpBias);
        f.integer("bos_token_id").ifPresent(b::bosTokenId);
        f.string("torch_dtype").ifPresent(b::torchDtype);
        f.string("hidden_act").ifPresent(act -> {
            if (!act.equals("silu") && !act.equals("swish")) {
                f.problems.add("field 'hidden_act' is '" + act + "'; only silu (SwiGLU) is supported");
            }
        });
        f.bool("use_sliding_window").ifPresent(sw -> {
            if (sw) {
                f.problems.add("field 'use_sliding_window' is true; sliding-window attention is not supported");
            }
        });
        JsonElement eos = o.get("eos_token_id");
        if (eos != null && !eos.isJsonNull()) {
            List<Integer> ids = new ArrayList<>();
            if (eos.isJsonArray()) {
                for (JsonElement e : eos.getAsJsonArray()) {
                    Integer id = f.asInt("eos_token_id", e);
                    if (id != null) {
                        ids.add(id);
                    }
                }
            } else {
                Integer id = f.asInt("eos_token_id", eos);
                if (id != null) {
                    ids.add(id);
                }
            }
            b.eosTokenIds(ids);
        }
        JsonElement rs = o.get("rope_scaling");
        if (rs != null && !rs.isJsonNull()) {
            parseRopeScaling(rs, f).ifPresent(b::ropeScaling);
        }
        JsonObject extra = new JsonObject();
        for (Map.Entry<String, JsonElement> e : o.entrySet()) {
            if (!MODELED.contains(e.getKey())) {
                extra.add(e.getKey(), e.getValue());
            }
        }
        b.extra = extra;
        if (!f.problems.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", f.problems));
        }
        return b.build();
    }

    private static Optional<RopeScaling> parseRopeScaling(JsonElement rs, Fields f) {
        if (!rs.isJsonObject()) {
            f.problems.add("field 'rope_scaling' must be an object or null, got " + rs);
            return Optional.empty();
        }
        JsonObject r = rs.getAsJsonObject();
        JsonElement kind = r.has("rope_type") ? r.get("rope_type") : r.get("type");
        if (kind != null && !kind.isJsonNull()
                && !(kind.isJsonPrimitive() && kind.getAsJsonPrimitive().isString())) {
            f.problems.add("field 'rope_scaling.rope_type' must be a string, got " + kind);
            return Optional.empty();
        }
        String kindName = kind == null || kind.isJsonNull() ? null : kind.getAsString();
        if (kindName == null) {
            f.problems.add("field 'rope_scaling' has no 'rope_type' (or 'type'); expected \"linear\"");
            return Optional.empty();
        }
        if (kindName.equals("default")) {
            return Optional.empty();
        }
        if (!kindName.equals("linear")) {
            f.problems.add("field 'rope_scaling.rope_type' is '" + kindName
                    + "'; only 'linear' (Position Interpolation) is implemented");
            return Optional.empty();
        }
        JsonElement factor = r.get("factor");
        if (factor == null || !factor.isJsonPrimitive() || !factor.getAsJsonPrimitive().isNumber()) {
            f.problems.add("field 'rope_scaling.factor' must be a number, got " + factor);
            return Optional.empty();
        }
        double value = factor.getAsDouble();
        if (!Double.isFinite(value) || value < 1.0) {
            f.problems.add("field 'rope_scaling.factor' is " + factor + "; it must be a finite number >= 1");
            return Optional.empty();
        }
        return Optional.of(RopeScaling.linear(value));
    }

    /** Writes {@code config.json} (pretty-printed, UTF-8) atomically: to a temporary file, then renamed. */
    public void write(Path fileOrFolder) {
        Path file = Files.isDirectory(fileOrFolder) ? fileOrFolder.resolve("config.json") : fileOrFolder;
        try {
            Path parent = file.toAbsolutePath().getParent();
            Files.createDirectories(parent);
            Path tmp = Files.createTempFile(parent, ".config", ".json.tmp");
            Files.writeString(tmp, toJson() + "\n", StandardCharsets.UTF_8);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write model config " + file + ": " + e.getMessage(), e);
        }
    }

    /** The Hugging Face {@code config.json} text for this configuration, unknown fields included. */
    public String toJson() {
        JsonObject o = new JsonObject();
        JsonArray arch = new JsonArray();
        arch.add(modelType == ModelType.QWEN2 ? "Qwen2ForCausalLM" : "LlamaForCausalLM");
        o.add("architectures", extra.has("architectures") ? extra.get("architectures") : arch);
        o.addProperty("model_type", modelType.hfName());
        o.addProperty("vocab_size", vocabSize);
        o.addProperty("hidden_size", hiddenSize);
        o.addProperty("intermediate_size", intermediateSize);
        o.addProperty("num_hidden_layers", numHiddenLayers);
        o.addProperty("num_attention_heads", numAttentionHeads);
        o.addProperty("num_key_value_heads", numKeyValueHeads);
        o.addProperty("head_dim", headDim);
        o.addProperty("hidden_act", "silu");
        o.addProperty("rope_theta", ropeTheta);
        if (ropeScaling == null) {
            o.add("rope_scaling", JsonNull.INSTANCE);
        } else {
            JsonObject r = new JsonObject();
            r.addProperty("rope_type", "linear");
            r.addProperty("type", "linear");
            r.addProperty("factor", ropeScaling.factor());
            o.add("rope_scaling", r);
        }
        o.addProperty("rms_norm_eps", rmsNormEps);
        o.addProperty("tie_word_embeddings", tieWordEmbeddings);
        o.addProperty("max_position_embeddings", maxPositionEmbeddings);
        if (modelType == ModelType.LLAMA) {
            o.addProperty("attention_bias", attentionBias);
            o.addProperty("mlp_bias", mlpBias);
        } else {
            o.addProperty("use_sliding_window", false);
        }
        o.add("bos_token_id", bosTokenId == null ? JsonNull.INSTANCE : new JsonPrimitive(bosTokenId));
        if (eosTokenIds.isEmpty()) {
            o.add("eos_token_id", JsonNull.INSTANCE);
        } else if (eosTokenIds.size() == 1) {
            o.addProperty("eos_token_id", eosTokenIds.get(0));
        } else {
            JsonArray ids = new JsonArray();
            eosTokenIds.forEach(ids::add);
            o.add("eos_token_id", ids);
        }
        o.addProperty("torch_dtype", torchDtype);
        for (Map.Entry<String, JsonElement> e : extra.entrySet()) {
            if (!o.has(e.getKey())) {
                o.add(e.getKey(), e.getValue());
            }
        }
        return GSON.toJson(o);
    }

    public ModelType modelType() {
        return modelType;
    }

    public int vocabSize() {
        return vocabSize;
    }

    public int hiddenSize() {
        return hiddenSize;
    }

    public int intermediateSize() {
        return intermediateSize;
    }

    public int numHiddenLayers() {
        return numHiddenLayers;
    }

    public int numAttentionHeads() {
        return numAttentionHeads;
    }

    public int numKeyValueHeads() {
        return numKeyValueHeads;
    }

    /** Width of one attention head; {@code hidden_size / num_attention_heads} unless {@code head_dim} is set. */
    public int headDim() {
        return headDim;
    }

    public double ropeTheta() {
        return ropeTheta;
    }

    /** Linear Position Interpolation, if configured. */
    public Optional<RopeScaling> ropeScaling() {
        return Optional.ofNullable(ropeScaling);
    }

    public double rmsNormEps() {
        return rmsNormEps;
    }

    public boolean tieWordEmbeddings() {
        return tieWordEmbeddings;
    }

    public int maxPositionEmbeddings() {
        return maxPositionEmbeddings;
    }

    /** Whether the q, k and v projections carry a bias (always for Qwen2; {@code attention_bias} for Llama). */
    public boolean qkvBias() {
        return attentionBias;
    }

    /** Whether the attention output projection carries a bias (Llama with {@code attention_bias} only). */
    public boolean outputBias() {
        return modelType == ModelType.LLAMA && attentionBias;
    }

    /** Whether the gate, up and down projections carry a bias ({@code mlp_bias}, Llama only). */
    public boolean mlpBias() {
        return mlpBias;
    }

    public Optional<Integer> bosTokenId() {
        return Optional.ofNullable(bosTokenId);
    }

    /** End-of-sequence ids; Llama 3 lists several. */
    public List<Integer> eosTokenIds() {
        return eosTokenIds;
    }

    /** The {@code torch_dtype} field, e.g. {@code float32} or {@code bfloat16}: the dtype weights were saved in. */
    public String torchDtype() {
        return torchDtype;
    }

    /** Fields of {@code config.json} this class does not model, carried through verbatim (a copy). */
    public JsonObject extraFields() {
        return extra.deepCopy();
    }

    /** Number of parameters of the decoder (embeddings and head included, the head once when tied). */
    public long parameterCount() {
        long h = hiddenSize;
        long q = (long) numAttentionHeads * headDim;
        long kv = (long) numKeyValueHeads * headDim;
        long attention = h * q + 2 * h * kv + q * h;
        if (qkvBias()) {
            attention += q + 2 * kv;
        }
        if (outputBias()) {
            attention += h;
        }
        long mlp = 3 * h * intermediateSize + (mlpBias ? 2L * intermediateSize + h : 0);
        long perLayer = attention + mlp + 2 * h;
        long embeddings = (long) vocabSize * h;
        return embeddings * (tieWordEmbeddings ? 1 : 2) + numHiddenLayers * perLayer + h;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof ModelConfig c && toJson().equals(c.toJson());
    }

    @Override
    public int hashCode() {
        return toJson().hashCode();
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT,
                "ModelConfig{%s, vocab=%d, hidden=%d, intermediate=%d, layers=%d, heads=%d, kvHeads=%d, headDim=%d,"
                        + " ropeTheta=%s, ropeScaling=%s, tied=%s}",
                modelType.hfName(), vocabSize, hiddenSize, intermediateSize, numHiddenLayers, numAttentionHeads,
                numKeyValueHeads, headDim, ropeTheta, ropeScaling == null ? "none" : ropeScaling.factor(),
                tieWordEmbeddings);
    }

    private static String abbreviate(String s) {
        return s.length() <= 80 ? s : s.substring(0, 77) + "...";
    }

    /** Typed access to JSON fields that collects every problem instead of stopping at the first. */
    private static final class Fields {
        final JsonObject o;
        final List<String> problems = new ArrayList<>();

        Fields(JsonObject o) {
            this.o = o;
        }

        private JsonPrimitive primitive(String name) {
            JsonElement e = o.get(name);
            if (e == null || e.isJsonNull()) {
                return null;
            }
            if (!e.isJsonPrimitive()) {
                problems.add("field '" + name + "' must be a scalar, got " + e);
                return null;
            }
            return e.getAsJsonPrimitive();
        }

        Integer asInt(String name, JsonElement e) {
            if (e == null || !e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber()) {
                problems.add("field '" + name + "' must be an integer, got " + e);
                return null;
            }
            double d = e.getAsDouble();
            if (d != Math.rint(d) || Math.abs(d) > Integer.MAX_VALUE) {
                problems.add("field '" + name + "' must be an integer, got " + e);
                return null;
            }
            return (int) d;
        }

        Optional<Integer> integer(String name) {
            JsonPrimitive p = primitive(name);
            return p == null ? Optional.empty() : Optional.ofNullable(asInt(name, p));
        }

        Optional<Double> number(String name) {
            JsonPrimitive p = primitive(name);
            if (p == null) {
                return Optional.empty();
            }
            if (!p.isNumber()) {
                problems.add("field '" + name + "' must be a number, got " + p);
                return Optional.empty();
            }
            return Optional.of(p.getAsDouble());
        }

        Optional<Boolean> bool(String name) {
            JsonPrimitive p = primitive(name);
            if (p == null) {
                return Optional.empty();
            }
            if (!p.isBoolean()) {
                problems.add("field '" + name + "' must be true or false, got " + p);
                return Optional.empty();
            }
            return Optional.of(p.getAsBoolean());
        }

        Optional<String> string(String name) {
            JsonPrimitive p = primitive(name);
            if (p == null) {
                return Optional.empty();
            }
            if (!p.isString()) {
                problems.add("field '" + name + "' must be a string, got " + p);
                return Optional.empty();
            }
            return Optional.of(p.getAsString());
        }
    }

    /**
     * Builds a {@link ModelConfig}. Defaults are those of Hugging Face's {@code Qwen2Config} / {@code LlamaConfig}
     * except the sizes, which are those of a tiny model (vocab 256, hidden 64, 2 layers, 4 heads, 2 KV heads,
     * intermediate 176) so that a model trained from scratch starts small. Each property may be set once;
     * {@link #build()} reports every inconsistency at once.
     */
    public static final class Builder {
        private final ModelType modelType;
        private final Set<String> set = new java.util.HashSet<>();
        private int vocabSize = 256;
        private int hiddenSize = 64;
        private int intermediateSize = 176;
        private int numHiddenLayers = 2;
        private int numAttentionHeads = 4;
        private Integer numKeyValueHeads = 2;
        private Integer headDim;
        private double ropeTheta;
        private RopeScaling ropeScaling;
        private double rmsNormEps;
        private boolean tieWordEmbeddings;
        private int maxPositionEmbeddings;
        private Boolean attentionBias;
        private boolean mlpBias;
        private Integer bosTokenId;
        private List<Integer> eosTokenIds = new ArrayList<>();
        private String torchDtype = "float32";
        private JsonObject extra = new JsonObject();

        private Builder(ModelType modelType) {
            this.modelType = modelType;
            if (modelType == ModelType.QWEN2) {
                ropeTheta = 10_000.0;
                rmsNormEps = 1e-6;
                tieWordEmbeddings = false;
                maxPositionEmbeddings = 32_768;
            } else {
                ropeTheta = 10_000.0;
                rmsNormEps = 1e-6;
                tieWordEmbeddings = false;
                maxPositionEmbeddings = 2048;
            }
        }

        private void once(String name) {
            if (!set.add(name)) {
                throw new IllegalStateException("ModelConfig." + name + " was already set");
            }
        }

        public Builder vocabSize(int v) {
            once("vocabSize");
            vocabSize = v;
            return this;
        }

        public Builder hiddenSize(int v) {
            once("hiddenSize");
            hiddenSize = v;
            return this;
        }

        public Builder intermediateSize(int v) {
            once("intermediateSize");
            intermediateSize = v;
            return this;
        }

        public Builder numHiddenLayers(int v) {
            once("numHiddenLayers");
            numHiddenLayers = v;
            return this;
        }

        public Builder numAttentionHeads(int v) {
            once("numAttentionHeads");
            numAttentionHeads = v;
            return this;
        }

        public Builder numKeyValueHeads(int v) {
            once("numKeyValueHeads");
            numKeyValueHeads = v;
            return this;
        }

        /** Width of one head; default {@code hiddenSize / numAttentionHeads}. */
        public Builder headDim(int v) {
            once("headDim");
            headDim = v;
            return this;
        }

        /** RoPE base; default 10,000 (Qwen2.5 checkpoints use 1,000,000). */
        public Builder ropeTheta(double v) {
            once("ropeTheta");
            ropeTheta = v;
            return this;
        }

        /** Linear Position Interpolation; {@code null} for none (the default). */
        public Builder ropeScaling(RopeScaling v) {
            once("ropeScaling");
            ropeScaling = v;
            return this;
        }

        public Builder rmsNormEps(double v) {
            once("rmsNormEps");
            rmsNormEps = v;
            return this;
        }

        public Builder tieWordEmbeddings(boolean v) {
            once("tieWordEmbeddings");
            tieWordEmbeddings = v;
            return this;
        }

        public Builder maxPositionEmbeddings(int v) {
            once("maxPositionEmbeddings");
            maxPositionEmbeddings = v;
            return this;
        }

        /** Llama's {@code attention_bias}; Qwen2 always has q/k/v biases and rejects {@code false}. */
        public Builder attentionBias(boolean v) {
            once("attentionBias");
            attentionBias = v;
            return this;
        }

        /** Llama's {@code mlp_bias}; default false. */
        public Builder mlpBias(boolean v) {
            once("mlpBias");
            mlpBias = v;
            return this;
        }

        public Builder bosTokenId(Integer v) {
            once("bosTokenId");
            bosTokenId = v;
            return this;
        }

        public Builder eosTokenIds(List<Integer> v) {
            once("eosTokenIds");
            eosTokenIds = new ArrayList<>(v);
            return this;
        }

        /** The dtype name recorded in {@code torch_dtype}; default {@code float32}. */
        public Builder torchDtype(String v) {
            once("torchDtype");
            torchDtype = Objects.requireNonNull(v, "torchDtype");
            return this;
        }

        /**
         * Checks every field and builds the configuration.
         *
         * @throws IllegalArgumentException listing every problem, each naming the field and its value
         */
        public ModelConfig build() {
            List<String> problems = new ArrayList<>();
            positive(problems, "vocab_size", vocabSize);
            positive(problems, "hidden_size", hiddenSize);
            positive(problems, "intermediate_size", intermediateSize);
            positive(problems, "num_hidden_layers", numHiddenLayers);
            positive(problems, "num_attention_heads", numAttentionHeads);
            positive(problems, "max_position_embeddings", maxPositionEmbeddings);
            int kv = numKeyValueHeads == null ? numAttentionHeads : numKeyValueHeads;
            positive(problems, "num_key_value_heads", kv);
            if (headDim == null && numAttentionHeads > 0 && hiddenSize % numAttentionHeads != 0) {
                problems.add(String.format(Locale.ROOT,
                        "field 'num_attention_heads' is %d, which does not divide hidden_size %d",
                        numAttentionHeads, hiddenSize));
            }
            if (kv > 0 && numAttentionHeads > 0 && numAttentionHeads % kv != 0) {
                problems.add(String.format(Locale.ROOT,
                        "field 'num_key_value_heads' is %d, which does not divide num_attention_heads %d",
                        kv, numAttentionHeads));
            }
            int hd = headDim == null ? (numAttentionHeads > 0 ? hiddenSize / numAttentionHeads : 0) : headDim;
            if (hd <= 0 || hd % 2 != 0) {
                problems.add("field 'head_dim' is " + hd + "; rotary embeddings need a positive even head width");
            }
            if (!(ropeTheta > 0) || !Double.isFinite(ropeTheta)) {
                problems.add("field 'rope_theta' is " + ropeTheta + "; it must be a positive number");
            }
            if (!(rmsNormEps > 0) || !Double.isFinite(rmsNormEps)) {
                problems.add("field 'rms_norm_eps' is " + rmsNormEps + "; it must be a positive number");
            }
            if (modelType == ModelType.QWEN2 && Boolean.FALSE.equals(attentionBias)) {
                problems.add("field 'attention_bias' is false, but qwen2 always has q/k/v biases");
            }
            if (modelType == ModelType.QWEN2 && mlpBias) {
                problems.add("field 'mlp_bias' is true, but qwen2 has no MLP biases");
            }
            for (Integer id : eosTokenIds) {
                if (id == null || id < 0 || id >= vocabSize) {
                    problems.add("field 'eos_token_id' holds " + id + ", outside the vocabulary [0, " + vocabSize + ")");
                }
            }
            if (bosTokenId != null && (bosTokenId < 0 || bosTokenId >= vocabSize)) {
                problems.add("field 'bos_token_id' is " + bosTokenId + ", outside the vocabulary [0, " + vocabSize + ")");
            }
            if (!problems.isEmpty()) {
                throw new IllegalArgumentException("invalid " + modelType.hfName() + " config: "
                        + String.join("; ", problems));
            }
            return new ModelConfig(this);
        }

        private static void positive(List<String> problems, String field, int value) {
            if (value <= 0) {
                problems.add("field '" + field + "' is " + value + "; it must be positive");
            }
        }
    }
}
