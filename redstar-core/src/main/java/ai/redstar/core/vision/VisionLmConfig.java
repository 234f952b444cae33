package ai.redstar.core.vision;

import ai.redstar.core.model.ModelConfig;
import com.google.common.collect.ImmutableList;
import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The architecture of a LLaVA vision-language model ({@code LlavaForConditionalGeneration}), read from and written to
 * a Hugging Face {@code config.json} with {@code model_type} {@code llava}: a {@link VisionEncoderConfig}
 * ({@code vision_config}), the decoder's {@link ModelConfig} ({@code text_config}, qwen2 or llama) and the fields
 * that join them.
 *
 * <p>Immutable and thread-safe. Made by {@link #builder(ModelConfig, VisionEncoderConfig)} or
 * {@link #read(Path)} / {@link #fromJson(String)}; unknown top-level fields are kept verbatim and written back.
 *
 * <p>The prompt contract: input ids hold {@link #imageTokenIndex()} repeated {@link #imageSeqLength()} times per image
 * (the expansion transformers' processor makes since 4.47); the model writes image {@code i}'s projected features
 * over the {@code i}-th such run, in order of appearance.
 */
public final class VisionLmConfig {
    private static final Logger LOG = LoggerFactory.getLogger(VisionLmConfig.class);
    private static final Gson GSON = new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().serializeNulls()
            .create();
    private static final Set<String> MODELED = Set.of("model_type", "text_config", "vision_config",
            "image_token_index", "image_token_id", "vision_feature_layer", "vision_feature_select_strategy",
            "projector_hidden_act", "multimodal_projector_bias", "image_seq_length", "tie_word_embeddings");

    private final ModelConfig textConfig;
    private final VisionEncoderConfig visionConfig;
    private final int imageTokenIndex;
    private final ImmutableList<Integer> featureLayers;
    private final boolean featureLayerList;
    private final FeatureSelectStrategy selectStrategy;
    private final VisionActivation projectorHiddenAct;
    private final boolean projectorBias;
    private final JsonObject extra;

    private VisionLmConfig(Builder b) {
        this.textConfig = b.textConfig;
        this.visionConfig = b.visionConfig;
        this.imageTokenIndex = b.imageTokenIndex;
        this.featureLayers = ImmutableList.copyOf(b.featureLayers);
        this.featureLayerList = b.featureLayerList;
        this.selectStrategy = b.selectStrategy;
        this.projectorHiddenAct = b.projectorHiddenAct;
        this.projectorBias = b.projectorBias;
        this.extra = b.extra.deepCopy();
    }

    /**
     * A builder joining a decoder and an encoder, with {@code LlavaConfig}'s defaults: feature layer -2, strategy
     * {@code default}, projector activation {@code gelu} with biases; the image token defaults to the decoder's last
     * vocabulary id ({@code vocab_size - 1}), which a tokenizer should reserve for the placeholder.
     */
    public static Builder builder(ModelConfig textConfig, VisionEncoderConfig visionConfig) {
        return new Builder(Objects.requireNonNull(textConfig, "textConfig"),
                Objects.requireNonNull(visionConfig, "visionConfig"));
    }

    /** A builder that starts from this configuration (each property may then be set once). */
    public Builder toBuilder() {
        Builder b = new Builder(textConfig, visionConfig);
        b.imageTokenIndex = imageTokenIndex;
        b.featureLayers = new ArrayList<>(featureLayers);
        b.featureLayerList = featureLayerList;
        b.selectStrategy = selectStrategy;
        b.projectorHiddenAct = projectorHiddenAct;
        b.projectorBias = projectorBias;
        b.extra = extra.deepCopy();
        return b;
    }

    /**
     * Reads a {@code config.json} file, or the {@code config.json} inside a model folder.
     *
     * @throws IllegalArgumentException naming the file and every problem
     * @throws UncheckedIOException when the file cannot be read
     */
    public static VisionLmConfig read(Path fileOrFolder) {
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
     * Parses the text of a llava {@code config.json}. {@code text_config} (qwen2 or llama, with its sizes) and
     * {@code vision_config} are required; {@code image_token_id} is read as {@code image_token_index}; other missing
     * fields take {@code LlavaConfig}'s defaults (image token 32000, feature layer -2, strategy default, projector gelu
     * with bias). A stored {@code image_seq_length} that differs from {@link #imageSeqLength()} is logged and replaced
     * on write.
     *
     * @throws IllegalArgumentException listing every problem, each naming the field and its value
     */
    public static VisionLmConfig fromJson(String json) {
        JsonElement root;
        try {
            root = JsonParser.parseString(json);
        } catch (JsonParseException | StackOverflowError e) {
            throw new IllegalArgumentException("config.json is not valid JSON: " + e.getMessage(), e);
        }
        if (root == null || !root.isJsonObject()) {
            throw new IllegalArgumentException("config.json must hold a JSON object");
        }
        JsonObject o = root.getAsJsonObject();
        List<String> problems = new ArrayList<>();
        JsonFields f = new JsonFields(o, "", problems);
        f.string("model_type").ifPresentOrElse(t -> {
            if (!t.equals("llava")) {
                problems.add("field 'model_type' is '" + t + "'; expected llava (a vision-language model); load a"
                        + " text-only model with CausalLm.load");
            }
        }, () -> problems.add("field 'model_type' is missing; expected llava"));
        ModelConfig text = null;
        JsonElement t = o.get("text_config");
        if (t == null || !t.isJsonObject()) {
            problems.add("field 'text_config' is missing or not an object; a llava config.json must give the"
                    + " decoder's configuration");
        } else {
            JsonObject textObject = t.getAsJsonObject().deepCopy();
            if (!textObject.has("model_type")) {
                textObject.addProperty("model_type", "llama");
            }
            try {
                text = ModelConfig.fromJson(GSON.toJson(textObject));
            } catch (IllegalArgumentException e) {
                problems.add("text_config: " + e.getMessage());
            }
        }
        VisionEncoderConfig vision = null;
        JsonElement v = o.get("vision_config");
        if (v == null || !v.isJsonObject()) {
            problems.add("field 'vision_config' is missing or not an object; a llava config.json must give the"
                    + " vision encoder's configuration");
        } else {
            vision = VisionEncoderConfig.parse(v.getAsJsonObject(), problems);
        }
        Integer imageToken = f.integer("image_token_index").orElse(null);
        Integer imageTokenId = f.integer("image_token_id").orElse(null);
        if (imageToken != null && imageTokenId != null && !imageToken.equals(imageTokenId)) {
            problems.add("fields 'image_token_index' (" + imageToken + ") and 'image_token_id' (" + imageTokenId
                    + ") disagree; give one");
        }
        List<Integer> layers = f.intOrList("vision_feature_layer").orElse(null);
        JsonElement layerElement = o.get("vision_feature_layer");
        FeatureSelectStrategy strategy = null;
        String strategyName = f.string("vision_feature_select_strategy").orElse(null);
        if (strategyName != null) {
            try {
                strategy = FeatureSelectStrategy.fromHfName(strategyName);
            } catch (IllegalArgumentException e) {
                problems.add(e.getMessage());
            }
        }
        VisionActivation act = null;
        String actName = f.string("projector_hidden_act").orElse(null);
        if (actName != null) {
            try {
                act = VisionActivation.fromHfName(actName);
            } catch (IllegalArgumentException e) {
                problems.add("field 'projector_hidden_act': " + e.getMessage());
            }
        }
        Boolean bias = f.bool("multimodal_projector_bias").orElse(null);
        Integer storedSeqLength = f.integer("image_seq_length").orElse(null);
        Boolean tied = f.bool("tie_word_embeddings").orElse(null);
        if (Boolean.TRUE.equals(tied) && text != null && !text.tieWordEmbeddings()) {
            problems.add("field 'tie_word_embeddings' is true but text_config.tie_word_embeddings is false; set the"
                    + " text_config's field (the decoder's head follows it)");
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("invalid llava config: " + String.join("; ", problems));
        }
        Builder b = new Builder(text, vision);
        b.imageTokenIndex = imageToken != null ? imageToken : imageTokenId != null ? imageTokenId : 32000;
        if (layers != null) {
            b.featureLayers = layers;
            b.featureLayerList = layerElement.isJsonArray();
        }
        if (strategy != null) {
            b.selectStrategy = strategy;
        }
        if (act != null) {
            b.projectorHiddenAct = act;
        }
        if (bias != null) {
            b.projectorBias = bias;
        }
        JsonObject extra = new JsonObject();
        for (Map.Entry<String, JsonElement> e : o.entrySet()) {
            if (!MODELED.contains(e.getKey())) {
                extra.add(e.getKey(), e.getValue());
            }
        }
        b.extra = extra;
        VisionLmConfig config = b.build();
        if (storedSeqLength != null && storedSeqLength != config.imageSeqLength()) {
            LOG.warn("config.json gives image_seq_length {} but the vision config and strategy give {} tokens per"
                    + " image; using {}", storedSeqLength, config.imageSeqLength(), config.imageSeqLength());
        }
        return config;
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

    /** The Hugging Face {@code config.json} text, unknown fields included. */
    public String toJson() {
        JsonObject o = new JsonObject();
        JsonArray arch = new JsonArray();
        arch.add("LlavaForConditionalGeneration");
        o.add("architectures", extra.has("architectures") ? extra.get("architectures") : arch);
        o.addProperty("model_type", "llava");
        o.addProperty("image_token_index", imageTokenIndex);
        o.addProperty("image_seq_length", imageSeqLength());
        if (featureLayerList) {
            JsonArray layers = new JsonArray();
            featureLayers.forEach(layers::add);
            o.add("vision_feature_layer", layers);
        } else {
            o.addProperty("vision_feature_layer", featureLayers.get(0));
        }
        o.addProperty("vision_feature_select_strategy", selectStrategy.hfName());
        o.addProperty("projector_hidden_act", projectorHiddenAct.hfName());
        o.addProperty("multimodal_projector_bias", projectorBias);
        o.addProperty("tie_word_embeddings", textConfig.tieWordEmbeddings());
        o.add("text_config", JsonParser.parseString(textConfig.toJson()));
        o.add("vision_config", visionConfig.toJson());
        for (Map.Entry<String, JsonElement> e : extra.entrySet()) {
            if (!o.has(e.getKey())) {
                o.add(e.getKey(), e.getValue());
            }
        }
        return GSON.toJson(o);
    }

    /** This configuration with {@code torch_dtype} set at the top level and in {@code text_config} (for save). */
    VisionLmConfig withTorchDtype(String torchDtype) {
        Builder b = toBuilder();
        b.textConfig = textConfig.toBuilder().torchDtype(torchDtype).build();
        b.extra.addProperty("torch_dtype", torchDtype);
        return b.build();
    }

    /** The decoder's configuration. */
    public ModelConfig textConfig() {
        return textConfig;
    }

    /** The vision encoder's configuration. */
    public VisionEncoderConfig visionConfig() {
        return visionConfig;
    }

    /** The placeholder id in input ids; it may lie outside the decoder's vocabulary. */
    public int imageTokenIndex() {
        return imageTokenIndex;
    }

    /**
     * The encoder hidden states whose features are used, indexed as transformers' {@code output_hidden_states}
     * (0 = the embeddings as the first layer sees them, {@code i} = after layer {@code i}; negative from the end);
     * several are concatenated on the feature axis in this order.
     */
    public List<Integer> visionFeatureLayers() {
        return featureLayers;
    }

    /** Whether {@code vision_feature_layer} is a list in {@code config.json} (even of one element). */
    public boolean visionFeatureLayerIsList() {
        return featureLayerList;
    }

    public FeatureSelectStrategy visionFeatureSelectStrategy() {
        return selectStrategy;
    }

    public VisionActivation projectorHiddenAct() {
        return projectorHiddenAct;
    }

    /** Whether the projector's two linear layers carry biases ({@code multimodal_projector_bias}). */
    public boolean projectorBias() {
        return projectorBias;
    }

    /**
     * Image placeholder tokens per image: the encoder's positions ({@link VisionEncoderConfig#numPositions()}) minus
     * one for strategy {@code default}.
     */
    public int imageSeqLength() {
        return visionConfig.numPositions() - (selectStrategy == FeatureSelectStrategy.DEFAULT ? 1 : 0);
    }

    /** Width of the projector's input: the encoder width times the number of feature layers. */
    public int imageFeatureWidth() {
        return visionConfig.hiddenSize() * featureLayers.size();
    }

    /** Fields this class does not model, carried through verbatim (a copy). */
    public JsonObject extraFields() {
        return extra.deepCopy();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof VisionLmConfig c && toJson().equals(c.toJson());
    }

    @Override
    public int hashCode() {
        return toJson().hashCode();
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "VisionLmConfig{%s, %s, imageToken=%d, featureLayers=%s, strategy=%s,"
                        + " imageSeqLength=%d}", textConfig, visionConfig, imageTokenIndex, featureLayers,
                selectStrategy.hfName(), imageSeqLength());
    }

    /** Builds a {@link VisionLmConfig}; each property may be set once; {@link #build()} reports every problem. */
    public static final class Builder {
        private final Set<String> set = new HashSet<>();
        private ModelConfig textConfig;
        private final VisionEncoderConfig visionConfig;
        private int imageTokenIndex;
        private List<Integer> featureLayers = List.of(-2);
        private boolean featureLayerList;
        private FeatureSelectStrategy selectStrategy = FeatureSelectStrategy.DEFAULT;
        private VisionActivation projectorHiddenAct = VisionActivation.GELU;
        private boolean projectorBias = true;
        private JsonObject extra = new JsonObject();

        private Builder(ModelConfig textConfig, VisionEncoderConfig visionConfig) {
            this.textConfig = textConfig;
            this.visionConfig = visionConfig;
            this.imageTokenIndex = textConfig.vocabSize() - 1;
        }

        private void once(String name) {
            if (!set.add(name)) {
                throw new IllegalStateException("VisionLmConfig." + name + " was already set");
            }
        }

        /** The placeholder id; default {@code vocab_size - 1}. */
        public Builder imageTokenIndex(int v) {
            once("imageTokenIndex");
            imageTokenIndex = v;
            return this;
        }

        /** One feature layer (written as an integer); default -2 (the penultimate layer's output). */
        public Builder visionFeatureLayer(int layer) {
            once("visionFeatureLayer");
            featureLayers = List.of(layer);
            featureLayerList = false;
            return this;
        }

        /** Several feature layers, concatenated on the feature axis in this order (written as a list). */
        public Builder visionFeatureLayers(List<Integer> layers) {
            once("visionFeatureLayer");
            featureLayers = List.copyOf(layers);
            featureLayerList = true;
            return this;
        }

        /** Default {@link FeatureSelectStrategy#DEFAULT}. */
        public Builder visionFeatureSelectStrategy(FeatureSelectStrategy v) {
            once("visionFeatureSelectStrategy");
            selectStrategy = Objects.requireNonNull(v, "visionFeatureSelectStrategy");
            return this;
        }

        /** Default {@link VisionActivation#GELU}. */
        public Builder projectorHiddenAct(VisionActivation v) {
            once("projectorHiddenAct");
            projectorHiddenAct = Objects.requireNonNull(v, "projectorHiddenAct");
            return this;
        }

        /** Default true. */
        public Builder projectorBias(boolean v) {
            once("projectorBias");
            projectorBias = v;
            return this;
        }

        /**
         * Checks every field and builds the configuration.
         *
         * @throws IllegalArgumentException listing every problem, each naming the field and its value
         */
        public VisionLmConfig build() {
            List<String> problems = new ArrayList<>();
            if (imageTokenIndex < 0) {
                problems.add("field 'image_token_index' is " + imageTokenIndex + "; it must be >= 0");
            }
            int hiddenStates = visionConfig.numHiddenLayers() + 1;
            if (featureLayers.isEmpty()) {
                problems.add("field 'vision_feature_layer' is an empty list; give at least one layer");
            }
            for (int layer : featureLayers) {
                if (layer < -hiddenStates || layer >= hiddenStates) {
                    problems.add(String.format(Locale.ROOT, "field 'vision_feature_layer' holds %d, outside [%d, %d]"
                                    + " (the encoder has %d layers, so %d hidden states)", layer, -hiddenStates,
                            hiddenStates - 1, hiddenStates - 1, hiddenStates));
                }
            }
            int positions = visionConfig.numPositions();
            if (selectStrategy == FeatureSelectStrategy.DEFAULT && positions < 2) {
                problems.add("field 'vision_feature_select_strategy' is default, which drops the first of only "
                        + positions + " position(s); use full");
            }
            if (!problems.isEmpty()) {
                throw new IllegalArgumentException("invalid llava config: " + String.join("; ", problems));
            }
            return new VisionLmConfig(this);
        }
    }
}
