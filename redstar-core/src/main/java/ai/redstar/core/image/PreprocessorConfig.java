package ai.redstar.core.image;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
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
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * How images are turned into pixel values for a vision encoder: Hugging Face's {@code preprocessor_config.json}.
 *
 * <p>Immutable and thread-safe. Made by {@link #builder()} (CLIP's defaults), {@link #builder(ImageProcessorType)},
 * the factories {@link #clip(int)}, {@link #siglip(int)} and {@link #llava(int)}, or read with {@link #read(Path)} /
 * {@link #fromJson(String)}, where fields the file leaves out take the defaults of the transformers class named by
 * {@code image_processor_type}. Fields this class does not model (for example {@code processor_class}) are kept and
 * written back.
 *
 * <p>The steps, in transformers' order (see {@link ImageProcessor}): convert to RGB; pad to a square with the mean
 * colour ({@code do_pad}, LLaVA only); resize ({@code do_resize}, {@code size}, {@code resample}); centre crop
 * ({@code do_center_crop}, {@code crop_size}); rescale ({@code do_rescale}, {@code rescale_factor}); normalise
 * ({@code do_normalize}, {@code image_mean}, {@code image_std}).
 */
public final class PreprocessorConfig {
    private static final Gson GSON = new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().serializeNulls().create();

    /** OpenAI CLIP's per-channel mean (transformers {@code OPENAI_CLIP_MEAN}). */
    public static final List<Double> CLIP_MEAN = List.of(0.48145466, 0.4578275, 0.40821073);
    /** OpenAI CLIP's per-channel standard deviation (transformers {@code OPENAI_CLIP_STD}). */
    public static final List<Double> CLIP_STD = List.of(0.26862954, 0.26130258, 0.27577711);
    /** The 0.5 mean and std of SigLIP (transformers {@code IMAGENET_STANDARD_MEAN}/{@code _STD}). */
    public static final List<Double> HALF = List.of(0.5, 0.5, 0.5);
    /** transformers' default {@code rescale_factor}, 1/255. */
    public static final double ONE_OVER_255 = 1.0 / 255.0;

    private static final Set<String> MODELED = Set.of("image_processor_type", "do_resize",
            "size", "resample", "do_center_crop", "crop_size", "do_rescale", "rescale_factor", "do_normalize",
            "image_mean", "image_std", "do_convert_rgb", "do_pad");

    private final ImageProcessorType type;
    private final boolean doResize;
    private final ResizeTarget size;
    private final Resample resample;
    private final boolean doCenterCrop;
    private final int cropHeight;
    private final int cropWidth;
    private final boolean doRescale;
    private final double rescaleFactor;
    private final boolean doNormalize;
    private final double[] imageMean;
    private final double[] imageStd;
    private final boolean doConvertRgb;
    private final boolean doPad;
    private final JsonObject extra;

    private PreprocessorConfig(Builder b) {
        type = b.type;
        doResize = b.doResize;
        size = b.size;
        resample = b.resample;
        doCenterCrop = b.doCenterCrop;
        cropHeight = b.cropHeight;
        cropWidth = b.cropWidth;
        doRescale = b.doRescale;
        rescaleFactor = b.rescaleFactor;
        doNormalize = b.doNormalize;
        imageMean = b.imageMean.clone();
        imageStd = b.imageStd.clone();
        doConvertRgb = b.doConvertRgb;
        doPad = b.doPad;
        extra = b.extra.deepCopy();
    }

    /** A builder with {@code CLIPImageProcessor}'s defaults (shortest edge 224, bicubic, crop 224x224, CLIP stats). */
    public static Builder builder() {
        return builder(ImageProcessorType.CLIP);
    }

    /** A builder with the defaults of transformers' class for {@code type} (see {@link ImageProcessorType}). */
    public static Builder builder(ImageProcessorType type) {
        return new Builder(Objects.requireNonNull(type, "type"));
    }

    /** CLIP-style: shortest edge {@code imageSize}, bicubic, centre crop {@code imageSize} square, CLIP mean/std. */
    public static PreprocessorConfig clip(int imageSize) {
        return builder(ImageProcessorType.CLIP).size(new ResizeTarget.ShortestEdge(imageSize))
                .cropSize(imageSize, imageSize).build();
    }

    /**
     * SigLIP-style as published SigLIP checkpoints configure it: fixed {@code imageSize} square, bilinear, no crop,
     * mean and std 0.5.
     */
    public static PreprocessorConfig siglip(int imageSize) {
        return builder(ImageProcessorType.SIGLIP).size(new ResizeTarget.FixedSize(imageSize, imageSize))
                .resample(Resample.BILINEAR).build();
    }

    /** LLaVA-1.5-style: {@link #clip(int)} after padding each image to a square with the mean colour. */
    public static PreprocessorConfig llava(int imageSize) {
        return builder(ImageProcessorType.LLAVA).size(new ResizeTarget.ShortestEdge(imageSize))
                .cropSize(imageSize, imageSize).doPad(true).build();
    }

    /** A builder that starts from this configuration; every property may be set once more. */
    public Builder toBuilder() {
        Builder b = new Builder(type);
        b.doResize = doResize;
        b.size = size;
        b.resample = resample;
        b.doCenterCrop = doCenterCrop;
        b.cropHeight = cropHeight;
        b.cropWidth = cropWidth;
        b.doRescale = doRescale;
        b.rescaleFactor = rescaleFactor;
        b.doNormalize = doNormalize;
        b.imageMean = imageMean.clone();
        b.imageStd = imageStd.clone();
        b.doConvertRgb = doConvertRgb;
        b.doPad = doPad;
        b.extra = extra.deepCopy();
        return b;
    }

    // ---- accessors ----

    /** The transformers processor class. */
    public ImageProcessorType type() {
        return type;
    }

    /** Whether images are resized to {@link #size()}. */
    public boolean doResize() {
        return doResize;
    }

    /** The resize target. */
    public ResizeTarget size() {
        return size;
    }

    /** The resampling filter of the resize. */
    public Resample resample() {
        return resample;
    }

    /** Whether the resized image is centre-cropped (zero-padded where smaller) to {@link #cropHeight()} x width. */
    public boolean doCenterCrop() {
        return doCenterCrop;
    }

    /** Rows of the centre crop; 0 when the configuration has no {@code crop_size}. */
    public int cropHeight() {
        return cropHeight;
    }

    /** Columns of the centre crop; 0 when the configuration has no {@code crop_size}. */
    public int cropWidth() {
        return cropWidth;
    }

    /** Whether 8-bit values are multiplied by {@link #rescaleFactor()}. */
    public boolean doRescale() {
        return doRescale;
    }

    /** The rescale multiplier, 1/255 by default. */
    public double rescaleFactor() {
        return rescaleFactor;
    }

    /** Whether values become {@code (value - mean[c]) / std[c]}. */
    public boolean doNormalize() {
        return doNormalize;
    }

    /** Per-channel mean (R, G, B), a copy. */
    public double[] imageMean() {
        return imageMean.clone();
    }

    /** Per-channel standard deviation (R, G, B), a copy. */
    public double[] imageStd() {
        return imageStd.clone();
    }

    /**
     * {@code do_convert_rgb} as written. Images are always converted to RGB here, since pixel values are
     * three-channel; for RGB inputs the flag makes no difference in transformers either.
     */
    public boolean doConvertRgb() {
        return doConvertRgb;
    }

    /** LLaVA's {@code do_pad}: pad to a square with the mean colour (each channel {@code int(mean * 255)}) first. */
    public boolean doPad() {
        return doPad;
    }

    /** Fields of the file this class does not model, a copy. */
    public JsonObject extraFields() {
        return extra.deepCopy();
    }

    /** Whether every image gives the same output size (a centre crop, or a resize to a fixed size). */
    public boolean hasFixedOutputSize() {
        return doCenterCrop || (doResize && size instanceof ResizeTarget.FixedSize);
    }

    /**
     * The {@code [height, width]} of the pixel values of an image of {@code height x width} pixels.
     *
     * @throws IllegalArgumentException when a side is not positive
     */
    public int[] outputSize(int height, int width) {
        if (height <= 0 || width <= 0) {
            throw new IllegalArgumentException("image size must be positive, got " + height + "x" + width);
        }
        int h = height;
        int w = width;
        if (doPad) {
            h = w = Math.max(h, w);
        }
        if (doResize) {
            int[] s = size.outputSize(h, w);
            h = s[0];
            w = s[1];
        }
        return doCenterCrop ? new int[] {cropHeight, cropWidth} : new int[] {h, w};
    }

    /**
     * The fixed output {@code [height, width]} of every image.
     *
     * @throws IllegalStateException when the size depends on the image ({@link #hasFixedOutputSize()} is false)
     */
    public int[] fixedOutputSize() {
        if (doCenterCrop) {
            return new int[] {cropHeight, cropWidth};
        }
        if (doResize && size instanceof ResizeTarget.FixedSize f) {
            return new int[] {f.height(), f.width()};
        }
        throw new IllegalStateException("output size depends on the image: no centre crop and size " + size
                + (doResize ? "" : " unused (do_resize false)") + "; set crop_size or a fixed size");
    }

    // ---- JSON ----

    /**
     * Reads {@code preprocessor_config.json}, or the one inside a model folder.
     *
     * @throws IllegalArgumentException naming the file, field and value when the content is invalid or unsupported
     * @throws UncheckedIOException naming the file when it cannot be read
     */
    public static PreprocessorConfig read(Path fileOrFolder) {
        Path file = Files.isDirectory(fileOrFolder) ? fileOrFolder.resolve("preprocessor_config.json") : fileOrFolder;
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read preprocessor config " + file + ": " + e, e);
        }
        try {
            return fromJson(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Parses the text of a {@code preprocessor_config.json}. {@code image_processor_type} (or the legacy
     * {@code feature_extractor_type}) is required; {@code size} may be an integer (shortest edge, as transformers
     * reads old CLIP files), {@code crop_size} an integer (a square), {@code image_mean}/{@code image_std} a number
     * (all channels).
     *
     * @throws IllegalArgumentException naming every invalid field and its value
     */
    public static PreprocessorConfig fromJson(String json) {
        JsonElement root;
        try {
            root = JsonParser.parseString(json);
        } catch (JsonParseException | StackOverflowError e) {
            throw new IllegalArgumentException("preprocessor_config.json is not valid JSON: " + e.getMessage(), e);
        }
        if (root == null || !root.isJsonObject()) {
            throw new IllegalArgumentException("preprocessor_config.json must hold a JSON object");
        }
        JsonObject o = root.getAsJsonObject();
        JsonElement typeElement = o.has("image_processor_type") ? o.get("image_processor_type")
                : o.get("feature_extractor_type");
        if (typeElement == null || !typeElement.isJsonPrimitive() || !typeElement.getAsJsonPrimitive().isString()) {
            throw new IllegalArgumentException("field 'image_processor_type' is missing or not a string, got "
                    + typeElement + "; expected CLIPImageProcessor, SiglipImageProcessor or LlavaImageProcessor");
        }
        Builder b;
        try {
            b = builder(ImageProcessorType.fromHfName(typeElement.getAsString()));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("field 'image_processor_type': " + e.getMessage(), e);
        }
        List<String> problems = new ArrayList<>();
        Fields f = new Fields(o, problems);
        Boolean v;
        if ((v = f.bool("do_resize")) != null) {
            b.doResize(v);
        }
        ResizeTarget size = f.size("size");
        if (size != null) {
            b.size(size);
        }
        Integer resample = f.integer("resample");
        if (resample != null) {
            try {
                b.resample(Resample.fromPilCode(resample));
            } catch (IllegalArgumentException e) {
                problems.add("field 'resample': " + e.getMessage());
            }
        }
        if ((v = f.bool("do_center_crop")) != null) {
            b.doCenterCrop(v);
        }
        int[] crop = f.cropSize("crop_size");
        if (crop != null) {
            b.cropSize(crop[0], crop[1]);
        }
        if ((v = f.bool("do_rescale")) != null) {
            b.doRescale(v);
        }
        Double factor = f.number("rescale_factor");
        if (factor != null) {
            b.rescaleFactor(factor);
        }
        if ((v = f.bool("do_normalize")) != null) {
            b.doNormalize(v);
        }
        double[] mean = f.channels("image_mean");
        if (mean != null) {
            b.imageMean(mean);
        }
        double[] std = f.channels("image_std");
        if (std != null) {
            b.imageStd(std);
        }
        if ((v = f.bool("do_convert_rgb")) != null) {
            b.doConvertRgb(v);
        }
        if ((v = f.bool("do_pad")) != null) {
            b.doPad(v);
        }
        JsonObject extra = new JsonObject();
        for (Map.Entry<String, JsonElement> e : o.entrySet()) {
            if (!MODELED.contains(e.getKey())) {
                extra.add(e.getKey(), e.getValue().deepCopy());
            }
        }
        b.extra = extra;
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", problems));
        }
        return b.build();
    }

    /** This configuration as a {@code preprocessor_config.json} object (modelled fields first, then the others). */
    public JsonObject toJsonObject() {
        JsonObject o = new JsonObject();
        o.addProperty("image_processor_type", type.hfName());
        o.addProperty("do_resize", doResize);
        JsonObject s = new JsonObject();
        if (size instanceof ResizeTarget.ShortestEdge e) {
            s.addProperty("shortest_edge", e.edge());
        } else if (size instanceof ResizeTarget.FixedSize fs) {
            s.addProperty("height", fs.height());
            s.addProperty("width", fs.width());
        }
        o.add("size", s);
        o.addProperty("resample", resample.pilCode());
        o.addProperty("do_center_crop", doCenterCrop);
        if (cropHeight > 0) {
            JsonObject c = new JsonObject();
            c.addProperty("height", cropHeight);
            c.addProperty("width", cropWidth);
            o.add("crop_size", c);
        }
        o.addProperty("do_rescale", doRescale);
        o.addProperty("rescale_factor", rescaleFactor);
        o.addProperty("do_normalize", doNormalize);
        o.add("image_mean", array(imageMean));
        o.add("image_std", array(imageStd));
        o.addProperty("do_convert_rgb", doConvertRgb);
        if (type == ImageProcessorType.LLAVA || doPad) {
            o.addProperty("do_pad", doPad);
        }
        for (Map.Entry<String, JsonElement> e : extra.entrySet()) {
            o.add(e.getKey(), e.getValue().deepCopy());
        }
        return o;
    }

    /** This configuration as pretty-printed {@code preprocessor_config.json} text. */
    public String toJson() {
        return GSON.toJson(toJsonObject()) + "\n";
    }

    /**
     * Writes {@code preprocessor_config.json} into {@code folder} (created if needed), replacing it atomically.
     *
     * @return the file written
     * @throws UncheckedIOException naming the file when it cannot be written
     */
    public Path write(Path folder) {
        Path file = folder.resolve("preprocessor_config.json");
        try {
            Files.createDirectories(folder);
            Path tmp = Files.createTempFile(folder, ".preprocessor_config", ".tmp");
            try {
                Files.writeString(tmp, toJson(), StandardCharsets.UTF_8);
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e, e);
        }
        return file;
    }

    private static JsonArray array(double[] values) {
        JsonArray a = new JsonArray();
        for (double d : values) {
            a.add(d);
        }
        return a;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof PreprocessorConfig p && toJsonObject().equals(p.toJsonObject());
    }

    @Override
    public int hashCode() {
        return toJsonObject().hashCode();
    }

    @Override
    public String toString() {
        return "PreprocessorConfig" + toJsonObject();
    }

    /**
     * Fluent builder. Each property may be set once; {@link #build()} checks them all and reports every problem.
     * Defaults are those of the {@link ImageProcessorType} the builder was made for. Not thread-safe.
     */
    public static final class Builder {
        private final ImageProcessorType type;
        private final Set<String> set = new HashSet<>();
        private final List<String> problems = new ArrayList<>();
        private boolean doResize = true;
        private ResizeTarget size;
        private Resample resample = Resample.BICUBIC;
        private boolean doCenterCrop;
        private int cropHeight;
        private int cropWidth;
        private boolean doRescale = true;
        private double rescaleFactor = ONE_OVER_255;
        private boolean doNormalize = true;
        private double[] imageMean;
        private double[] imageStd;
        private boolean doConvertRgb = true;
        private boolean doPad;
        private JsonObject extra = new JsonObject();

        private Builder(ImageProcessorType type) {
            this.type = type;
            if (type == ImageProcessorType.SIGLIP) {
                size = new ResizeTarget.FixedSize(224, 224);
                imageMean = toArray(HALF);
                imageStd = toArray(HALF);
            } else {
                size = new ResizeTarget.ShortestEdge(224);
                doCenterCrop = true;
                cropHeight = 224;
                cropWidth = 224;
                imageMean = toArray(CLIP_MEAN);
                imageStd = toArray(CLIP_STD);
            }
        }

        private static double[] toArray(List<Double> values) {
            return values.stream().mapToDouble(Double::doubleValue).toArray();
        }

        private void once(String property) {
            if (!set.add(property)) {
                problems.add(property + " was set twice");
            }
        }

        /** Whether to resize (default true). */
        public Builder doResize(boolean value) {
            once("do_resize");
            doResize = value;
            return this;
        }

        /** The resize target (default shortest edge 224; SigLIP: 224x224). */
        public Builder size(ResizeTarget value) {
            once("size");
            size = Objects.requireNonNull(value, "size");
            return this;
        }

        /** The resampling filter (default bicubic). */
        public Builder resample(Resample value) {
            once("resample");
            resample = Objects.requireNonNull(value, "resample");
            return this;
        }

        /** Whether to centre crop (default true; SigLIP: false). */
        public Builder doCenterCrop(boolean value) {
            once("do_center_crop");
            doCenterCrop = value;
            return this;
        }

        /** The centre crop size in pixels (default 224x224; SigLIP: none). */
        public Builder cropSize(int height, int width) {
            once("crop_size");
            cropHeight = height;
            cropWidth = width;
            return this;
        }

        /** Whether to multiply by {@link #rescaleFactor(double)} (default true). */
        public Builder doRescale(boolean value) {
            once("do_rescale");
            doRescale = value;
            return this;
        }

        /** The rescale multiplier (default 1/255). */
        public Builder rescaleFactor(double value) {
            once("rescale_factor");
            rescaleFactor = value;
            return this;
        }

        /** Whether to normalise with mean and std (default true). */
        public Builder doNormalize(boolean value) {
            once("do_normalize");
            doNormalize = value;
            return this;
        }

        /** Per-channel mean R, G, B (default {@link #CLIP_MEAN}; SigLIP: {@link #HALF}). */
        public Builder imageMean(double... values) {
            once("image_mean");
            imageMean = values.clone();
            return this;
        }

        /** Per-channel std R, G, B (default {@link #CLIP_STD}; SigLIP: {@link #HALF}). */
        public Builder imageStd(double... values) {
            once("image_std");
            imageStd = values.clone();
            return this;
        }

        /** {@code do_convert_rgb} as written to the file (default true; see {@link PreprocessorConfig#doConvertRgb()}). */
        public Builder doConvertRgb(boolean value) {
            once("do_convert_rgb");
            doConvertRgb = value;
            return this;
        }

        /** LLaVA's pad-to-square with the mean colour before resizing (default false; LLaVA type only). */
        public Builder doPad(boolean value) {
            once("do_pad");
            doPad = value;
            return this;
        }

        /**
         * The configuration.
         *
         * @throws IllegalArgumentException listing every problem (property set twice, sizes not positive, mean or
         *     std not three finite values, std zero, rescale factor not finite and positive, a centre crop without a
         *     crop size, {@code do_pad} on a non-LLaVA type)
         */
        public PreprocessorConfig build() {
            List<String> all = new ArrayList<>(problems);
            if (doCenterCrop && (cropHeight <= 0 || cropWidth <= 0)) {
                all.add(String.format(Locale.ROOT, "crop_size must be positive when do_center_crop is true, got "
                        + "height %d, width %d; set crop_size or do_center_crop false", cropHeight, cropWidth));
            } else if (cropHeight < 0 || cropWidth < 0 || (cropHeight == 0) != (cropWidth == 0)) {
                all.add("crop_size must be positive, got height " + cropHeight + ", width " + cropWidth);
            }
            checkChannels("image_mean", imageMean, false, all);
            checkChannels("image_std", imageStd, true, all);
            if (!(rescaleFactor > 0) || Double.isInfinite(rescaleFactor)) {
                all.add("rescale_factor must be finite and positive, got " + rescaleFactor);
            }
            if (doPad && type != ImageProcessorType.LLAVA) {
                all.add("do_pad true is LLaVA's pad-to-square and needs image_processor_type LlavaImageProcessor, got "
                        + type.hfName() + "; remove do_pad or set it false");
            }
            if (!all.isEmpty()) {
                throw new IllegalArgumentException("invalid preprocessor config: " + String.join("; ", all));
            }
            return new PreprocessorConfig(this);
        }

        private static void checkChannels(String name, double[] values, boolean nonZero, List<String> out) {
            if (values.length != 3) {
                out.add(name + " must have 3 values (R, G, B), got " + values.length);
                return;
            }
            for (double d : values) {
                if (!Double.isFinite(d) || (nonZero && d == 0.0)) {
                    out.add(name + " must hold finite" + (nonZero ? " non-zero" : "") + " values, got "
                            + java.util.Arrays.toString(values));
                    return;
                }
            }
        }
    }

    /** Typed reads of JSON fields that collect every problem with the field name and value. */
    private static final class Fields {
        private final JsonObject o;
        private final List<String> problems;

        Fields(JsonObject o, List<String> problems) {
            this.o = o;
            this.problems = problems;
        }

        private JsonElement get(String name) {
            JsonElement e = o.get(name);
            return e == null || e.isJsonNull() ? null : e;
        }

        Boolean bool(String name) {
            JsonElement e = get(name);
            if (e == null) {
                return null;
            }
            if (e.isJsonPrimitive() && e.getAsJsonPrimitive().isBoolean()) {
                return e.getAsBoolean();
            }
            problems.add("field '" + name + "' must be true or false, got " + e);
            return null;
        }

        Double number(String name) {
            JsonElement e = get(name);
            if (e == null) {
                return null;
            }
            if (e.isJsonPrimitive() && e.getAsJsonPrimitive().isNumber()) {
                return e.getAsDouble();
            }
            problems.add("field '" + name + "' must be a number, got " + e);
            return null;
        }

        Integer integer(String name) {
            JsonElement e = get(name);
            return e == null ? null : asInt(name, e);
        }

        private Integer asInt(String name, JsonElement e) {
            if (e.isJsonPrimitive() && e.getAsJsonPrimitive().isNumber()) {
                double d = e.getAsDouble();
                if (d == Math.rint(d) && Math.abs(d) <= Integer.MAX_VALUE) {
                    return (int) d;
                }
            }
            problems.add("field '" + name + "' must be an integer, got " + e);
            return null;
        }

        private Integer positive(String name, JsonElement e) {
            Integer i = asInt(name, e);
            if (i != null && i <= 0) {
                problems.add("field '" + name + "' must be positive, got " + i);
                return null;
            }
            return i;
        }

        ResizeTarget size(String name) {
            JsonElement e = get(name);
            if (e == null) {
                return null;
            }
            if (e.isJsonPrimitive()) {
                Integer edge = positive(name, e);
                return edge == null ? null : new ResizeTarget.ShortestEdge(edge);
            }
            if (!e.isJsonObject()) {
                problems.add("field '" + name + "' must be an object or an integer, got " + e);
                return null;
            }
            JsonObject s = e.getAsJsonObject();
            Set<String> keys = s.keySet();
            if (keys.equals(Set.of("shortest_edge"))) {
                Integer edge = positive(name + ".shortest_edge", s.get("shortest_edge"));
                return edge == null ? null : new ResizeTarget.ShortestEdge(edge);
            }
            if (keys.equals(Set.of("height", "width"))) {
                Integer h = positive(name + ".height", s.get("height"));
                Integer w = positive(name + ".width", s.get("width"));
                return h == null || w == null ? null : new ResizeTarget.FixedSize(h, w);
            }
            problems.add("field '" + name + "' must be {\"shortest_edge\": N} or {\"height\": H, \"width\": W}, got "
                    + e + " (longest_edge and max_height/max_width are not supported)");
            return null;
        }

        int[] cropSize(String name) {
            JsonElement e = get(name);
            if (e == null) {
                return null;
            }
            if (e.isJsonPrimitive()) {
                Integer side = positive(name, e);
                return side == null ? null : new int[] {side, side};
            }
            if (e.isJsonObject() && e.getAsJsonObject().keySet().equals(Set.of("height", "width"))) {
                Integer h = positive(name + ".height", e.getAsJsonObject().get("height"));
                Integer w = positive(name + ".width", e.getAsJsonObject().get("width"));
                return h == null || w == null ? null : new int[] {h, w};
            }
            problems.add("field '" + name + "' must be {\"height\": H, \"width\": W} or an integer, got " + e);
            return null;
        }

        double[] channels(String name) {
            JsonElement e = get(name);
            if (e == null) {
                return null;
            }
            if (e.isJsonPrimitive() && ((JsonPrimitive) e).isNumber()) {
                double d = e.getAsDouble();
                return new double[] {d, d, d};
            }
            if (e.isJsonArray() && e.getAsJsonArray().size() == 3) {
                double[] out = new double[3];
                for (int i = 0; i < 3; i++) {
                    JsonElement x = e.getAsJsonArray().get(i);
                    if (!x.isJsonPrimitive() || !x.getAsJsonPrimitive().isNumber()) {
                        problems.add("field '" + name + "' must hold numbers, got " + e);
                        return null;
                    }
                    out[i] = x.getAsDouble();
                }
                return out;
            }
            problems.add("field '" + name + "' must be a list of 3 numbers (R, G, B) or one number, got " + e);
            return null;
        }
    }
}
