package ai.redstar.core.vision;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.core.Embedding;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import ai.redstar.core.checkpoint.Checkpoint;
import ai.redstar.core.checkpoint.CheckpointException;
import ai.redstar.core.checkpoint.SafetensorsFile;
import ai.redstar.core.checkpoint.TensorDtype;
import ai.redstar.core.checkpoint.TensorInfo;
import ai.redstar.core.model.CausalLm;
import ai.redstar.core.model.KvCache;
import ai.redstar.core.model.ModelConfig;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * A LLaVA vision-language model with the semantics of transformers' {@code LlavaForConditionalGeneration}: a CLIP or
 * SigLIP {@link VisionEncoderConfig vision encoder}, the two-layer projector, and a {@link CausalLm} decoder. Images
 * are encoded, the configured hidden state(s) selected (CLIP's class token dropped by strategy {@code default}),
 * projected to the decoder's width and written over the image placeholder tokens of the prompt, image {@code i} over
 * the {@code i}-th run of {@link VisionLmConfig#imageSeqLength()} placeholders in row-major order of the batch; the
 * decoder then runs on these embeddings.
 *
 * <p><b>Inputs.</b> {@code inputIds}, {@code positionIds} and {@code segmentIds} are {@code [batch, seq]} int64 as for
 * {@link CausalLm}; the ids contain {@link VisionLmConfig#imageTokenIndex()} repeated {@code imageSeqLength} times per
 * image (the placeholder id may lie outside the decoder's vocabulary: it is never looked up). {@code pixelValues} are
 * {@code [numImages, channels, imageSize, imageSize]} float32, already normalised, or null when the ids hold no
 * placeholder. The number of placeholders must be exactly {@code numImages · imageSeqLength}.
 *
 * <p><b>Parameters.</b> {@link #parameters()} names every trainable array as the classic llava-hf checkpoint does:
 * {@code vision_tower.vision_model.…}, {@code multi_modal_projector.linear_{1,2}.…},
 * {@code language_model.model.…}, {@code language_model.lm_head.weight}. A SigLIP checkpoint's pooling
 * {@code head} (which LLaVA does not use) is kept as it was read, outside {@link #parameters()}, and written back by
 * {@link #save}, so a load-save round trip keeps every tensor.
 *
 * <p><b>Ownership.</b> The model owns the encoder and projector parameters (one NDManager on {@link #device()}) and
 * its {@link #decoder()} until {@link #close()}. Every array a forward method returns is new, belongs to the manager of
 * its first input and to the caller's innermost open {@link NDScope}; temporaries are closed before it returns.
 * Inside a DJL {@code GradientCollector} the pass is recorded as for {@link CausalLm}.
 *
 * <p><b>Thread-safety.</b> Forward methods may run concurrently; {@link #freezeVisionEncoder}, adapter changes on the
 * decoder and {@link #close} must not race with them. Do not call {@code withConfig} on {@link #decoder()}: it would
 * close the decoder under this model.
 */
public final class VisionLm implements AutoCloseable {
    static final String TEXT_PREFIX = "language_model.";
    static final String HEAD_PREFIX = VisionEncoder.PREFIX + "head.";

    private final VisionLmConfig config;
    private final Device device;
    private final NDManager manager;
    private final CausalLm decoder;
    private final Map<String, NDArray> parameters;
    private final Map<String, NDArray> visionParameters;
    private final Map<String, NDArray> keptTensors;
    private final VisionEncoder encoder;
    private final Projector projector;
    private volatile boolean closed;

    private VisionLm(VisionLmConfig config, Device device, NDManager manager, Map<String, NDArray> own,
            Map<String, NDArray> kept, CausalLm decoder) {
        this.config = config;
        this.device = device;
        this.manager = manager;
        this.decoder = decoder;
        Map<String, NDArray> all = new LinkedHashMap<>();
        Map<String, NDArray> vision = new LinkedHashMap<>();
        for (String name : VisionEncoder.parameterShapes(config.visionConfig()).keySet()) {
            NDArray a = own.get(name);
            prepare(name, a);
            all.put(name, a);
            vision.put(name, a);
        }
        for (String name : Projector.parameterShapes(config).keySet()) {
            NDArray a = own.get(name);
            prepare(name, a);
            all.put(name, a);
        }
        decoder.parameters().forEach((name, a) -> all.put(TEXT_PREFIX + name, a));
        this.parameters = Collections.unmodifiableMap(all);
        this.visionParameters = Collections.unmodifiableMap(vision);
        kept.values().forEach(NDScope::unregister);
        this.keptTensors = Collections.unmodifiableMap(new LinkedHashMap<>(kept));
        this.encoder = new VisionEncoder(config.visionConfig(), all);
        this.projector = new Projector(config, all);
    }

    private static void prepare(String name, NDArray a) {
        NDScope.unregister(a);
        a.setName(name);
        a.setRequiresGradient(true);
    }

    /** Names and shapes of the encoder and projector parameters (classic layout), decoder excluded. */
    static Map<String, Shape> ownShapes(VisionLmConfig config) {
        Map<String, Shape> shapes = new LinkedHashMap<>(VisionEncoder.parameterShapes(config.visionConfig()));
        shapes.putAll(Projector.parameterShapes(config));
        return shapes;
    }

    /**
     * A model with fresh weights initialised as transformers' {@code _init_weights} does (CLIP: class embedding
     * {@code normal(0, d^-0.5)}, patch and position embeddings {@code normal(0, 0.02)}, q/k/v
     * {@code normal(0, d^-0.5·(2L)^-0.5)}, out {@code normal(0, d^-0.5)}, fc1 {@code normal(0, (2d)^-0.5)}, fc2
     * {@code normal(0, d^-0.5·(2L)^-0.5)}; SigLIP: Xavier-uniform attention and MLP weights, LeCun-normal patch
     * weights, position embeddings {@code normal(0, d^-0.5)}; LayerNorms 1 and 0; biases 0; projector
     * {@code normal(0, 0.02)}; the decoder as {@link CausalLm#randomInit}). The same seed gives the same weights.
     */
    public static VisionLm randomInit(VisionLmConfig config, long seed, Device device) {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(device, "device");
        SplittableRandom random = new SplittableRandom(seed);
        long decoderSeed = random.nextLong();
        VisionEncoderConfig v = config.visionConfig();
        double d = v.hiddenSize();
        double twoL = 2.0 * v.numHiddenLayers();
        boolean clip = v.type() == VisionEncoderType.CLIP;
        CausalLm decoder = CausalLm.randomInit(config.textConfig(), decoderSeed, device);
        NDManager manager = NDManager.newBaseManager(device);
        try {
            Map<String, NDArray> tensors = new LinkedHashMap<>();
            for (Map.Entry<String, Shape> e : ownShapes(config).entrySet()) {
                String name = e.getKey();
                Shape shape = e.getValue();
                int count = Math.toIntExact(shape.size());
                SplittableRandom r = random.split();
                float[] values;
                if (name.endsWith("norm.weight") || name.endsWith("layrnorm.weight")
                        || name.endsWith("layer_norm1.weight") || name.endsWith("layer_norm2.weight")) {
                    values = filled(count, 1f);
                } else if (name.endsWith(".bias")) {
                    values = new float[count];
                } else if (name.startsWith(Projector.PREFIX)) {
                    values = normal(r, count, 0.02);
                } else if (name.endsWith("class_embedding")) {
                    values = normal(r, count, Math.pow(d, -0.5));
                } else if (name.endsWith("position_embedding.weight")) {
                    values = normal(r, count, clip ? 0.02 : Math.pow(d, -0.5));
                } else if (name.endsWith("patch_embedding.weight")) {
                    values = normal(r, count, clip ? 0.02 : Math.sqrt(1.0 / (shape.size() / shape.get(0))));
                } else if (clip) {
                    double std;
                    if (name.contains("out_proj")) {
                        std = Math.pow(d, -0.5);
                    } else if (name.contains("self_attn") || name.contains("fc2")) {
                        std = Math.pow(d, -0.5) * Math.pow(twoL, -0.5);
                    } else {
                        std = Math.pow(2 * d, -0.5);
                    }
                    values = normal(r, count, std);
                } else {
                    double bound = Math.sqrt(6.0 / (shape.get(0) + shape.get(1)));
                    values = new float[count];
                    for (int i = 0; i < count; i++) {
                        values[i] = (float) ((r.nextDouble() * 2 - 1) * bound);
                    }
                }
                NDArray a = manager.create(values, shape);
                NDScope.unregister(a);
                tensors.put(name, a);
            }
            return new VisionLm(config, device, manager, tensors, Map.of(), decoder);
        } catch (RuntimeException e) {
            manager.close();
            decoder.close();
            throw e;
        }
    }

    private static float[] filled(int count, float value) {
        float[] values = new float[count];
        java.util.Arrays.fill(values, value);
        return values;
    }

    private static float[] normal(SplittableRandom random, int count, double std) {
        float[] values = new float[count];
        for (int i = 0; i < count; i++) {
            values[i] = (float) (random.nextGaussian() * std);
        }
        return values;
    }

    /**
     * The classic llava-hf name of a stored tensor, from either layout: classic ({@code language_model.model.…},
     * {@code language_model.lm_head.weight}, {@code vision_tower.vision_model.…}, {@code multi_modal_projector.…}) or
     * the one transformers saves since 4.52 ({@code model.language_model.…}, {@code lm_head.weight},
     * {@code model.vision_tower.…}, {@code model.multi_modal_projector.…}); a vision tower without the
     * {@code vision_model.} level (transformers 5's flattened CLIP/SigLIP vision models) is accepted too.
     */
    static String classicName(String stored) {
        String name = stored;
        if (name.startsWith("model.language_model.")) {
            name = TEXT_PREFIX + "model." + name.substring("model.language_model.".length());
        } else if (name.equals("lm_head.weight")) {
            name = TEXT_PREFIX + "lm_head.weight";
        } else if (name.startsWith("model.vision_tower.") || name.startsWith("model.multi_modal_projector.")) {
            name = name.substring("model.".length());
        }
        if (name.startsWith("vision_tower.") && !name.startsWith(VisionEncoder.PREFIX)) {
            name = VisionEncoder.PREFIX + name.substring("vision_tower.".length());
        }
        return name;
    }

    /**
     * Loads a llava-hf model folder: {@code config.json} ({@link VisionLmConfig#read}) and {@code model.safetensors}
     * or the shards of {@code model.safetensors.index.json}, in the classic or the transformers ≥ 4.52 tensor layout
     * (see {@link #classicName}). Floating tensors are widened to float32. Ignored as transformers ignores them: a
     * tied decoder's stored head, rotary {@code inv_freq} and {@code position_ids} buffers.
     *
     * @throws CheckpointException naming the folder and every missing, unexpected, duplicated or misshaped tensor,
     *     or a file that is unreadable or corrupt
     * @throws IllegalArgumentException naming the field when {@code config.json} is not a supported llava config
     */
    public static VisionLm load(Path folder, Device device) {
        Objects.requireNonNull(folder, "folder");
        Objects.requireNonNull(device, "device");
        VisionLmConfig config = VisionLmConfig.read(folder);
        ModelConfig text = config.textConfig();
        Map<String, Shape> expected = new LinkedHashMap<>(ownShapes(config));
        Map<String, TensorInfo> found = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        for (TensorInfo info : Checkpoint.index(folder).values()) {
            String name = classicName(info.name());
            if ((text.tieWordEmbeddings() && name.equals(TEXT_PREFIX + "lm_head.weight"))
                    || name.endsWith("rotary_emb.inv_freq") || name.endsWith("embeddings.position_ids")) {
                continue;
            }
            TensorInfo earlier = found.put(name, info);
            if (earlier != null) {
                problems.add(String.format(Locale.ROOT, "tensors '%s' and '%s' both map to '%s'; the folder mixes"
                        + " the classic and the transformers >= 4.52 layouts", earlier.name(), info.name(), name));
            }
            if (!info.dtype().isFloating()) {
                problems.add(String.format(Locale.ROOT, "tensor '%s' has dtype %s; parameters must be"
                        + " floating-point", info.name(), info.dtype().safetensorsName()));
            }
        }
        boolean keepHead = config.visionConfig().type() == VisionEncoderType.SIGLIP;
        for (Map.Entry<String, Shape> e : expected.entrySet()) {
            TensorInfo info = found.get(e.getKey());
            if (info == null) {
                problems.add(String.format(Locale.ROOT, "tensor '%s' (shape %s) is missing", e.getKey(),
                        e.getValue()));
            } else if (!info.shape().equals(e.getValue())) {
                problems.add(String.format(Locale.ROOT, "tensor '%s' in %s has shape %s, expected %s", info.name(),
                        info.file().getFileName(), info.shape(), e.getValue()));
            }
        }
        for (Map.Entry<String, TensorInfo> e : found.entrySet()) {
            String name = e.getKey();
            if (!expected.containsKey(name) && !name.startsWith(TEXT_PREFIX)
                    && !(keepHead && name.startsWith(HEAD_PREFIX))) {
                problems.add(String.format(Locale.ROOT, "tensor '%s' in %s is not a parameter of this model",
                        e.getValue().name(), e.getValue().file().getFileName()));
            }
        }
        if (!problems.isEmpty()) {
            throw new CheckpointException(folder, null, String.format(Locale.ROOT, "does not match the llava model"
                    + " (%d problem%s); is config.json the one these weights were saved with?%n  %s",
                    problems.size(), problems.size() == 1 ? "" : "s",
                    String.join(System.lineSeparator() + "  ", problems)));
        }
        Map<Path, List<Map.Entry<String, TensorInfo>>> byFile = new LinkedHashMap<>();
        found.entrySet().forEach(e -> byFile.computeIfAbsent(e.getValue().file(), f -> new ArrayList<>()).add(e));
        NDManager manager = NDManager.newBaseManager(device);
        CausalLm decoder = null;
        try {
            Map<String, NDArray> own = new LinkedHashMap<>();
            Map<String, NDArray> kept = new LinkedHashMap<>();
            Map<String, NDArray> textTensors = new LinkedHashMap<>();
            try (NDManager textManager = manager.newSubManager()) {
                for (Map.Entry<Path, List<Map.Entry<String, TensorInfo>>> e : byFile.entrySet()) {
                    try (SafetensorsFile file = SafetensorsFile.open(e.getKey())) {
                        for (Map.Entry<String, TensorInfo> t : e.getValue()) {
                            String name = t.getKey();
                            boolean isText = name.startsWith(TEXT_PREFIX);
                            NDArray array = file.read(t.getValue().name(), isText ? textManager : manager);
                            NDScope.unregister(array);
                            if (isText) {
                                textTensors.put(name.substring(TEXT_PREFIX.length()), array);
                            } else if (expected.containsKey(name)) {
                                own.put(name, array);
                            } else {
                                kept.put(name, array);
                            }
                        }
                    }
                }
                try {
                    decoder = CausalLm.fromTensors(config.textConfig(), device, textTensors);
                } catch (IllegalArgumentException e) {
                    throw new CheckpointException(folder, null, "language_model tensors: " + e.getMessage(), e);
                }
            }
            return new VisionLm(config, device, manager, own, kept, decoder);
        } catch (RuntimeException e) {
            manager.close();
            if (decoder != null) {
                decoder.close();
            }
            throw e;
        }
    }

    /**
     * Saves the model as a classic llava-hf folder: {@code config.json} (with {@code torch_dtype}) and
     * {@code model.safetensors} (or shards above 5 GB) holding {@link #parameters()} and any kept SigLIP head tensors,
     * as {@link CausalLm#save} writes files (atomically, stale weight files removed, other files kept).
     *
     * @param floatStorage F32 (bit-exact), BF16 or F16
     * @throws IllegalArgumentException when {@code floatStorage} is not F32, BF16 or F16
     * @throws CheckpointException naming the file when writing fails
     */
    public void save(Path folder, TensorDtype floatStorage) {
        checkOpen();
        Objects.requireNonNull(folder, "folder");
        Objects.requireNonNull(floatStorage, "floatStorage");
        String torchDtype = switch (floatStorage) {
            case F32 -> "float32";
            case BF16 -> "bfloat16";
            case F16 -> "float16";
            default -> throw new IllegalArgumentException(
                    "floatStorage must be F32, BF16 or F16, got " + floatStorage);
        };
        Map<String, NDArray> all = new LinkedHashMap<>(parameters);
        all.putAll(keptTensors);
        Checkpoint.writeTensors(folder, all, floatStorage, Checkpoint.DEFAULT_MAX_SHARD_BYTES);
        try {
            config.withTorchDtype(torchDtype).write(folder);
        } catch (UncheckedIOException e) {
            throw new CheckpointException(folder.resolve("config.json"), null, "cannot be written: "
                    + e.getMessage(), e);
        }
    }

    /**
     * The projected features of each image: what replaces its placeholders.
     *
     * @param pixelValues {@code [numImages, channels, imageSize, imageSize]} float32 on {@link #device()}
     * @return {@code [numImages, imageSeqLength, textHidden]} float32, owned as a forward result
     * @throws IllegalArgumentException naming the shape or dtype of malformed pixel values
     */
    public NDArray imageFeatures(NDArray pixelValues) {
        checkOpen();
        checkPixels(pixelValues);
        NDArray out;
        try (NDScope scope = new NDScope()) {
            out = features(pixelValues);
            NDScope.unregister(out);
        }
        return handOver(out, pixelValues.getManager());
    }

    /** Encoder → selected hidden states → projector; temporaries in the caller's scope. */
    private NDArray features(NDArray pixels) {
        int states = config.visionConfig().numHiddenLayers() + 1;
        List<Integer> layers = new ArrayList<>();
        int upTo = 0;
        for (int layer : config.visionFeatureLayers()) {
            int index = layer < 0 ? layer + states : layer;
            layers.add(index);
            upTo = Math.max(upTo, index);
        }
        List<NDArray> hidden = encoder.hiddenStates(pixels, upTo);
        boolean drop = config.visionFeatureSelectStrategy() == FeatureSelectStrategy.DEFAULT;
        NDArray selected = null;
        for (int index : layers) {
            NDArray h = hidden.get(index);
            if (drop) {
                h = h.get(":, 1:, :");
            }
            selected = selected == null ? h : selected.concat(h, -1);
        }
        return projector.apply(selected);
    }

    /**
     * The decoder's input embeddings: token embeddings with each image's projected features written over its
     * placeholders (see the class comment).
     *
     * @param inputIds {@code [batch, seq]} int64
     * @param pixelValuesOrNull {@code [numImages, channels, imageSize, imageSize]} float32, or null for no image
     * @return {@code [batch, seq, textHidden]} float32, owned as a forward result; differentiable with respect to the
     *     embedding, projector and encoder parameters
     * @throws IllegalArgumentException when the number of placeholders is not {@code numImages · imageSeqLength}
     *     (naming both counts), or for malformed inputs
     */
    public NDArray embed(NDArray inputIds, NDArray pixelValuesOrNull) {
        checkOpen();
        Objects.requireNonNull(inputIds, "inputIds");
        if (pixelValuesOrNull != null) {
            checkPixels(pixelValuesOrNull);
        }
        NDArray out;
        try (NDScope scope = new NDScope()) {
            out = embedInScope(inputIds, pixelValuesOrNull);
            NDScope.unregister(out);
        }
        return handOver(out, inputIds.getManager());
    }

    private NDArray embedInScope(NDArray inputIds, NDArray pixels) {
        Shape shape = inputIds.getShape();
        if (shape.dimension() != 2 || inputIds.getDataType() != DataType.INT64) {
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                    "inputIds must be a [batch, seq] int64 tensor, got shape %s of %s", shape,
                    inputIds.getDataType()));
        }
        long[] ids = inputIds.toLongArray();
        int imageToken = config.imageTokenIndex();
        int placeholders = 0;
        for (long id : ids) {
            if (id == imageToken) {
                placeholders++;
            }
        }
        long images = pixels == null ? 0 : pixels.getShape().get(0);
        long expected = images * config.imageSeqLength();
        if (placeholders != expected) {
            throw new IllegalArgumentException(String.format(Locale.ROOT, "inputIds %s hold %d image placeholder"
                            + " tokens (id %d) but %d image(s) x %d tokens per image = %d are needed; expand each"
                            + " image's placeholder to imageSeqLength() tokens and pass one image per run", shape,
                    placeholders, imageToken, images, config.imageSeqLength(), expected));
        }
        if (placeholders == 0) {
            return decoder.embed(inputIds);
        }
        // Look the placeholders up as id 0 (their rows are replaced), then take each position's row from
        // [token embeddings; image features] so that the result is differentiable in both.
        long[] lookup = ids.clone();
        long[] source = new long[ids.length];
        long next = ids.length;
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] == imageToken) {
                lookup[i] = 0;
                source[i] = next++;
            } else {
                source[i] = i;
            }
        }
        NDManager m = inputIds.getManager();
        NDArray tokens = decoder.embed(ownedIndices(m, lookup, shape));
        long hidden = config.textConfig().hiddenSize();
        NDArray features = features(pixels).reshape(expected, hidden);
        NDArray table = tokens.reshape(ids.length, hidden).concat(features, 0);
        return Embedding.embedding(ownedIndices(m, source, shape), table, SparseFormat.DENSE).singletonOrThrow();
    }

    /**
     * Index tensors that libtorch owns. The embedding lookups keep their indices for backward, which runs after this
     * method's scope has closed them; {@code NDManager.create(long[])} wraps a Java direct buffer that the garbage
     * collector frees once the array is closed, so backward would read freed memory (wrong rows get the gradient).
     * The copy is allocated by libtorch and lives as long as autograd needs it.
     */
    private static NDArray ownedIndices(NDManager m, long[] values, Shape shape) {
        try (NDArray wrapped = m.create(values, shape)) {
            return wrapped.duplicate();
        }
    }

    /**
     * Next-token logits of a prompt with images.
     *
     * @param pixelValuesOrNull {@code [numImages, channels, imageSize, imageSize]} float32, or null
     * @param cacheOrNull a cache of {@link #decoder()} (see {@link #newKvCache}) with the same batch, or null
     * @return {@code [batch, seq, vocab]} float32
     * @throws IllegalArgumentException as {@link #embed} and {@link CausalLm#forwardFromEmbeddings}
     */
    public NDArray forward(NDArray inputIds, NDArray positionIds, NDArray segmentIds, NDArray pixelValuesOrNull,
            KvCache cacheOrNull) {
        return run(inputIds, positionIds, segmentIds, pixelValuesOrNull, cacheOrNull, true);
    }

    /**
     * The decoder's hidden states after its final norm, with the inputs of {@link #forward}.
     *
     * @return {@code [batch, seq, textHidden]} float32
     */
    public NDArray hiddenStates(NDArray inputIds, NDArray positionIds, NDArray segmentIds, NDArray pixelValuesOrNull,
            KvCache cacheOrNull) {
        return run(inputIds, positionIds, segmentIds, pixelValuesOrNull, cacheOrNull, false);
    }

    private NDArray run(NDArray inputIds, NDArray positionIds, NDArray segmentIds, NDArray pixels, KvCache cache,
            boolean logits) {
        checkOpen();
        Objects.requireNonNull(inputIds, "inputIds");
        if (pixels != null) {
            checkPixels(pixels);
        }
        NDArray out;
        try (NDScope scope = new NDScope()) {
            NDArray embeddings = embedInScope(inputIds, pixels);
            out = logits ? decoder.forwardFromEmbeddings(embeddings, positionIds, segmentIds, cache)
                    : decoder.hiddenStatesFromEmbeddings(embeddings, positionIds, segmentIds, cache);
            NDScope.unregister(out);
        }
        return handOver(out, inputIds.getManager());
    }

    private static NDArray handOver(NDArray result, NDManager owner) {
        result.attach(owner);
        NDScope.register(result);
        return result;
    }

    private void checkPixels(NDArray pixels) {
        VisionEncoderConfig v = config.visionConfig();
        Shape shape = pixels.getShape();
        if (shape.dimension() != 4 || shape.get(0) == 0 || shape.get(1) != v.numChannels()
                || shape.get(2) != v.imageSize() || shape.get(3) != v.imageSize()
                || pixels.getDataType() != DataType.FLOAT32) {
            throw new IllegalArgumentException(String.format(Locale.ROOT, "pixelValues must be [numImages >= 1, %d,"
                            + " %d, %d] float32, got shape %s of %s; resize and normalise images with the model's"
                            + " preprocessor", v.numChannels(), v.imageSize(), v.imageSize(), shape,
                    pixels.getDataType()));
        }
        if (!pixels.getDevice().equals(device)) {
            throw new IllegalArgumentException(String.format(Locale.ROOT, "pixelValues (shape %s) are on %s but the"
                    + " model is on %s", shape, pixels.getDevice(), device));
        }
    }

    /** A KV cache of the decoder; see {@link CausalLm#newKvCache}. */
    public KvCache newKvCache(int batch, int capacity, NDManager parent) {
        checkOpen();
        return decoder.newKvCache(batch, capacity, parent);
    }

    /**
     * Freezes the vision encoder: its parameters stop requiring gradients, so backward passes leave them untouched
     * and {@link #trainableParameters()} omits them (the projector and decoder still train). Irreversible for this
     * instance; call before training, not during a forward pass.
     */
    public void freezeVisionEncoder() {
        checkOpen();
        visionParameters.values().forEach(a -> a.setRequiresGradient(false));
    }

    /** Whether {@link #freezeVisionEncoder()} was called. */
    public boolean isVisionEncoderFrozen() {
        return visionParameters.values().stream().noneMatch(NDArray::hasGradient);
    }

    /**
     * Every parameter keyed by its classic llava-hf name, in the order of {@link #save}'s checkpoint: the encoder
     * ({@code vision_tower.vision_model.…}), the projector ({@code multi_modal_projector.…}), then the decoder's
     * {@link CausalLm#parameters()} prefixed with {@code language_model.}. The arrays are owned by the model (the
     * decoder's by {@link #decoder()}); update them in place.
     */
    public Map<String, NDArray> parameters() {
        checkOpen();
        return parameters;
    }

    /** The parameters that require gradients (all but a frozen encoder's), as an ordered copy of the map. */
    public Map<String, NDArray> trainableParameters() {
        checkOpen();
        Map<String, NDArray> trainable = new LinkedHashMap<>();
        parameters.forEach((name, a) -> {
            if (a.hasGradient()) {
                trainable.put(name, a);
            }
        });
        return trainable;
    }

    /** Tensors read from a checkpoint and written back by {@link #save} that the model does not use (SigLIP's head). */
    public Map<String, NDArray> keptTensors() {
        checkOpen();
        return keptTensors;
    }

    /** Sets the gradient of every parameter that requires one to zero. */
    public void zeroGradients() {
        checkOpen();
        decoder.zeroGradients();
        for (Map.Entry<String, NDArray> e : parameters.entrySet()) {
            NDArray p = e.getValue();
            if (p.hasGradient() && !e.getKey().startsWith(TEXT_PREFIX)) {
                if (p instanceof PtNDArray pt) {
                    JniUtils.zeroGrad(pt);
                } else {
                    try (NDArray g = p.getGradient()) {
                        g.subi(g);
                    }
                }
            }
        }
    }

    /** The decoder, owned by this model (closed with it); LoRA adapters and attention kernels are set on it. */
    public CausalLm decoder() {
        checkOpen();
        return decoder;
    }

    public VisionLmConfig config() {
        return config;
    }

    public Device device() {
        return device;
    }

    public boolean isClosed() {
        return closed;
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("this VisionLm is closed");
        }
    }

    /** Frees the encoder, projector and decoder parameters. Idempotent. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            try {
                manager.close();
            } finally {
                decoder.close();
            }
        }
    }

    @Override
    public String toString() {
        return "VisionLm{" + config + ", device=" + device + "}";
    }
}
