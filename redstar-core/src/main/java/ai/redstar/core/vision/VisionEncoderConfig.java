package ai.redstar.core.vision;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The architecture of a CLIP or SigLIP vision encoder: the {@code vision_config} object of a LLaVA
 * {@code config.json} ({@code model_type} {@code clip_vision_model} or {@code siglip_vision_model}).
 *
 * <p>Immutable and thread-safe. Made by {@link #builder(VisionEncoderType)} (tiny sizes, for models trained from
 * scratch) or by {@link #fromJson(JsonObject)} (Hugging Face's defaults for missing fields). Fields this class does not
 * model ({@code projection_dim}, {@code attention_dropout}, {@code initializer_range}, ...) are kept verbatim and
 * written back. Dropout is ignored (inference and training run without it).
 */
public final class VisionEncoderConfig {
    private static final Set<String> MODELED = Set.of("model_type", "hidden_size", "intermediate_size",
            "num_hidden_layers", "num_attention_heads", "num_channels", "image_size", "patch_size", "hidden_act",
            "layer_norm_eps");

    private final VisionEncoderType type;
    private final int hiddenSize;
    private final int intermediateSize;
    private final int numHiddenLayers;
    private final int numAttentionHeads;
    private final int numChannels;
    private final int imageSize;
    private final int patchSize;
    private final VisionActivation hiddenAct;
    private final double layerNormEps;
    private final JsonObject extra;

    private VisionEncoderConfig(Builder b) {
        this.type = b.type;
        this.hiddenSize = b.hiddenSize;
        this.intermediateSize = b.intermediateSize;
        this.numHiddenLayers = b.numHiddenLayers;
        this.numAttentionHeads = b.numAttentionHeads;
        this.numChannels = b.numChannels;
        this.imageSize = b.imageSize;
        this.patchSize = b.patchSize;
        this.hiddenAct = b.hiddenAct;
        this.layerNormEps = b.layerNormEps;
        this.extra = b.extra.deepCopy();
    }

    /**
     * A builder for a new encoder of {@code type}: tiny sizes (hidden 32, intermediate 64, 2 layers, 2 heads, 3
     * channels, 32-pixel images in 8-pixel patches: 16 patches) and the family's Hugging Face activation and norm epsilon
     * (CLIP: quick_gelu, 1e-5; SigLIP: gelu_pytorch_tanh, 1e-6).
     */
    public static Builder builder(VisionEncoderType type) {
        return new Builder(Objects.requireNonNull(type, "type"), true);
    }

    /** A builder that starts from this configuration (each property may then be set once). */
    public Builder toBuilder() {
        Builder b = new Builder(type, true);
        b.hiddenSize = hiddenSize;
        b.intermediateSize = intermediateSize;
        b.numHiddenLayers = numHiddenLayers;
        b.numAttentionHeads = numAttentionHeads;
        b.numChannels = numChannels;
        b.imageSize = imageSize;
        b.patchSize = patchSize;
        b.hiddenAct = hiddenAct;
        b.layerNormEps = layerNormEps;
        b.extra = extra.deepCopy();
        return b;
    }

    /**
     * Parses a {@code vision_config} object; missing fields take the defaults of transformers'
     * {@code CLIPVisionConfig} / {@code SiglipVisionConfig} (a missing {@code model_type} means CLIP, as in
     * {@code LlavaConfig}).
     *
     * @throws IllegalArgumentException listing every problem, each naming the field ({@code vision_config.…}) and value
     */
    public static VisionEncoderConfig fromJson(JsonObject o) {
        List<String> problems = new ArrayList<>();
        VisionEncoderConfig c = parse(o, problems);
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("invalid vision_config: " + String.join("; ", problems));
        }
        return c;
    }

    /** Parses, adding problems (parse and validation) to {@code problems}; null when there are any. */
    static VisionEncoderConfig parse(JsonObject o, List<String> problems) {
        Objects.requireNonNull(o, "o");
        JsonFields f = new JsonFields(o, "vision_config.", problems);
        int before = problems.size();
        VisionEncoderType type = VisionEncoderType.CLIP;
        String typeName = f.string("model_type").orElse("clip_vision_model");
        try {
            type = VisionEncoderType.fromHfName(typeName);
        } catch (IllegalArgumentException e) {
            problems.add(e.getMessage());
        }
        Builder b = new Builder(type, false);
        f.integer("hidden_size").ifPresent(v -> b.hiddenSize = v);
        f.integer("intermediate_size").ifPresent(v -> b.intermediateSize = v);
        f.integer("num_hidden_layers").ifPresent(v -> b.numHiddenLayers = v);
        f.integer("num_attention_heads").ifPresent(v -> b.numAttentionHeads = v);
        f.integer("num_channels").ifPresent(v -> b.numChannels = v);
        f.integer("patch_size").ifPresent(v -> b.patchSize = v);
        JsonElement image = o.get("image_size");
        if (image != null && image.isJsonArray()) {
            problems.add("field 'vision_config.image_size' is " + image + "; only a single integer (square images)"
                    + " is supported");
        } else {
            f.integer("image_size").ifPresent(v -> b.imageSize = v);
        }
        f.string("hidden_act").ifPresent(name -> {
            try {
                b.hiddenAct = VisionActivation.fromHfName(name);
            } catch (IllegalArgumentException e) {
                problems.add("field 'vision_config.hidden_act': " + e.getMessage());
            }
        });
        f.number("layer_norm_eps").ifPresent(v -> b.layerNormEps = v);
        JsonObject extra = new JsonObject();
        for (Map.Entry<String, JsonElement> e : o.entrySet()) {
            if (!MODELED.contains(e.getKey())) {
                extra.add(e.getKey(), e.getValue());
            }
        }
        b.extra = extra;
        b.validate(problems);
        return problems.size() == before ? new VisionEncoderConfig(b) : null;
    }

    /** The {@code vision_config} object for this configuration, unknown fields included (a new object). */
    public JsonObject toJson() {
        JsonObject o = new JsonObject();
        o.addProperty("model_type", type.hfName());
        o.addProperty("hidden_size", hiddenSize);
        o.addProperty("intermediate_size", intermediateSize);
        o.addProperty("num_hidden_layers", numHiddenLayers);
        o.addProperty("num_attention_heads", numAttentionHeads);
        o.addProperty("num_channels", numChannels);
        o.addProperty("image_size", imageSize);
        o.addProperty("patch_size", patchSize);
        o.addProperty("hidden_act", hiddenAct.hfName());
        o.addProperty("layer_norm_eps", layerNormEps);
        for (Map.Entry<String, JsonElement> e : extra.entrySet()) {
            if (!o.has(e.getKey())) {
                o.add(e.getKey(), e.getValue());
            }
        }
        return o;
    }

    public VisionEncoderType type() {
        return type;
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

    /** Width of one attention head, {@code hidden_size / num_attention_heads}. */
    public int headDim() {
        return hiddenSize / numAttentionHeads;
    }

    public int numChannels() {
        return numChannels;
    }

    /** Side of the (square) input image in pixels; pixel values must be {@code [n, channels, imageSize, imageSize]}. */
    public int imageSize() {
        return imageSize;
    }

    public int patchSize() {
        return patchSize;
    }

    /** Patches per side, {@code floor(image_size / patch_size)} (a remainder of pixels is ignored, as by the conv). */
    public int patchesPerSide() {
        return imageSize / patchSize;
    }

    /** Patches per image. */
    public int numPatches() {
        return patchesPerSide() * patchesPerSide();
    }

    /** Length of the encoder's sequence: the patches, plus the class token for CLIP. */
    public int numPositions() {
        return numPatches() + (type.hasClassToken() ? 1 : 0);
    }

    public VisionActivation hiddenAct() {
        return hiddenAct;
    }

    public double layerNormEps() {
        return layerNormEps;
    }

    /** Fields this class does not model, carried through verbatim (a copy). */
    public JsonObject extraFields() {
        return extra.deepCopy();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof VisionEncoderConfig c && toJson().equals(c.toJson());
    }

    @Override
    public int hashCode() {
        return toJson().hashCode();
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "VisionEncoderConfig{%s, hidden=%d, intermediate=%d, layers=%d, heads=%d,"
                        + " image=%d, patch=%d, act=%s}", type.hfName(), hiddenSize, intermediateSize,
                numHiddenLayers, numAttentionHeads, imageSize, patchSize, hiddenAct.hfName());
    }

    /** Builds a {@link VisionEncoderConfig}; each property may be set once; {@link #build()} reports every problem. */
    public static final class Builder {
        private final VisionEncoderType type;
        private final Set<String> set = new HashSet<>();
        private int hiddenSize;
        private int intermediateSize;
        private int numHiddenLayers;
        private int numAttentionHeads;
        private int numChannels = 3;
        private int imageSize;
        private int patchSize;
        private VisionActivation hiddenAct;
        private double layerNormEps;
        private JsonObject extra = new JsonObject();

        private Builder(VisionEncoderType type, boolean tiny) {
            this.type = type;
            boolean clip = type == VisionEncoderType.CLIP;
            hiddenAct = clip ? VisionActivation.QUICK_GELU : VisionActivation.GELU_PYTORCH_TANH;
            layerNormEps = clip ? 1e-5 : 1e-6;
            if (tiny) {
                hiddenSize = 32;
                intermediateSize = 64;
                numHiddenLayers = 2;
                numAttentionHeads = 2;
                imageSize = 32;
                patchSize = 8;
            } else {
                hiddenSize = 768;
                intermediateSize = 3072;
                numHiddenLayers = 12;
                numAttentionHeads = 12;
                imageSize = 224;
                patchSize = clip ? 32 : 16;
            }
        }

        private void once(String name) {
            if (!set.add(name)) {
                throw new IllegalStateException("VisionEncoderConfig." + name + " was already set");
            }
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

        /** Input channels; default 3 (RGB). */
        public Builder numChannels(int v) {
            once("numChannels");
            numChannels = v;
            return this;
        }

        public Builder imageSize(int v) {
            once("imageSize");
            imageSize = v;
            return this;
        }

        public Builder patchSize(int v) {
            once("patchSize");
            patchSize = v;
            return this;
        }

        public Builder hiddenAct(VisionActivation v) {
            once("hiddenAct");
            hiddenAct = Objects.requireNonNull(v, "hiddenAct");
            return this;
        }

        public Builder layerNormEps(double v) {
            once("layerNormEps");
            layerNormEps = v;
            return this;
        }

        /**
         * Checks every field and builds the configuration.
         *
         * @throws IllegalArgumentException listing every problem, each naming the field and its value
         */
        public VisionEncoderConfig build() {
            List<String> problems = new ArrayList<>();
            validate(problems);
            if (!problems.isEmpty()) {
                throw new IllegalArgumentException("invalid vision_config: " + String.join("; ", problems));
            }
            return new VisionEncoderConfig(this);
        }

        void validate(List<String> problems) {
            positive(problems, "hidden_size", hiddenSize);
            positive(problems, "intermediate_size", intermediateSize);
            positive(problems, "num_hidden_layers", numHiddenLayers);
            positive(problems, "num_attention_heads", numAttentionHeads);
            positive(problems, "num_channels", numChannels);
            positive(problems, "image_size", imageSize);
            positive(problems, "patch_size", patchSize);
            if (numAttentionHeads > 0 && hiddenSize % numAttentionHeads != 0) {
                problems.add(String.format(Locale.ROOT, "field 'vision_config.num_attention_heads' is %d, which does"
                        + " not divide hidden_size %d", numAttentionHeads, hiddenSize));
            }
            if (patchSize > 0 && imageSize > 0 && patchSize > imageSize) {
                problems.add(String.format(Locale.ROOT, "field 'vision_config.patch_size' is %d, larger than"
                        + " image_size %d; an image needs at least one patch", patchSize, imageSize));
            }
            if (!(layerNormEps > 0) || !Double.isFinite(layerNormEps)) {
                problems.add("field 'vision_config.layer_norm_eps' is " + layerNormEps + "; it must be a positive"
                        + " number");
            }
        }

        private static void positive(List<String> problems, String field, int value) {
            if (value <= 0) {
                problems.add("field 'vision_config." + field + "' is " + value + "; it must be positive");
            }
        }
    }
}
