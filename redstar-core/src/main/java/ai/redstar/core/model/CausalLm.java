package ai.redstar.core.model;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.core.Embedding;
import ai.djl.nn.core.Linear;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import ai.redstar.core.checkpoint.Checkpoint;
import ai.redstar.core.checkpoint.CheckpointException;
import ai.redstar.core.checkpoint.SafetensorsFile;
import ai.redstar.core.checkpoint.TensorDtype;
import ai.redstar.core.checkpoint.TensorInfo;
import com.google.gson.JsonElement;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * A Qwen2 or Llama decoder-only causal language model in plain DJL NDArray operations, with the semantics of Hugging
 * Face transformers' {@code Qwen2ForCausalLM} / {@code LlamaForCausalLM}: token embeddings; per layer an RMSNorm
 * (computed in fp32), grouped-query self-attention with rotary position embeddings ("rotate half" layout, optional
 * linear Position Interpolation) and a residual, an RMSNorm, a SwiGLU MLP {@code down(silu(gate(x)) * up(x))} and a
 * residual; a final RMSNorm; the output head (or the transposed embedding when the head is tied).
 *
 * <p><b>Inputs.</b> Every forward method takes three {@code [batch, seq]} int64 tensors: token ids, explicit position
 * ids, and segment ids, which describe padding and packing with one rule (see {@link AttentionMasks}): a token attends
 * the earlier-or-same tokens of its own segment; segment 0 is padding. An HF {@code attention_mask} is a valid segment
 * tensor; positions for a left-padded batch come from {@link AttentionMasks#positionsFromPaddingMask}.
 *
 * <p><b>Ownership.</b> The model owns its parameters (one NDManager on {@link #device()}) until {@link #close()}.
 * Every array a forward method returns is new, belongs to the manager of its first input and to the caller's
 * innermost open {@link NDScope}, if any; the method's temporaries are closed before it returns (autograd keeps what
 * backward needs). Run training steps inside an {@code NDScope} as DJL-NOTES explains.
 *
 * <p><b>Training.</b> All parameters require gradients (a caller may freeze some with
 * {@code setRequiresGradient(false)}, as LoRA freezes the base model): inside a DJL {@code GradientCollector} the forward pass is
 * recorded and {@code backward} fills {@link #parameters()}' gradients, which accumulate until the caller zeroes them.
 * Outside a collector nothing is recorded on the thread that loaded the engine; other threads record by PyTorch's
 * default (grad mode is per thread), which costs memory until the outputs are closed but leaks nothing: a
 * {@link KvCache} stores detached keys and values.
 *
 * <p><b>Thread-safety.</b> Forward methods may run concurrently; {@link #setAdapter}, {@link #setAttentionKernel} and
 * {@link #close} must not race with them.
 */
public final class CausalLm implements AutoCloseable {
    /** Standard deviation of Hugging Face's {@code initializer_range} for linear and embedding weights. */
    static final double INITIALIZER_RANGE = 0.02;

    private final ModelConfig config;
    private final Device device;
    private final NDManager manager;
    private final Map<String, NDArray> parameters;
    private final Map<String, Projection> projections;
    private final NDArray embedTokens;
    private final Layer[] layers;
    private final NDArray finalNorm;
    private final Projection lmHead;
    private final Rope rope;
    private final float attentionScale;
    private final float normEpsilon;
    private volatile AttentionKernel attentionKernel = PlainAttention.INSTANCE;
    private volatile boolean closed;

    /**
     * A model over existing tensors (package-private: {@link #load} and tests use it).
     *
     * @param manager becomes the model's; closed with it
     * @param tensors every tensor of {@link #parameterShapes}, in {@code manager}, with those shapes
     */
    static CausalLm of(ModelConfig config, Device device, NDManager manager, Map<String, NDArray> tensors) {
        return new CausalLm(config, device, manager, tensors);
    }

    /**
     * A model over copies of existing tensors, for code that reads a decoder's weights itself (for example a
     * multimodal checkpoint whose decoder tensors carry another prefix). The arrays are copied into the model's own
     * manager; the caller keeps ownership of {@code tensors} and may close them afterwards.
     *
     * @param config the architecture
     * @param device where the parameters will live
     * @param tensors every tensor of the configuration's parameters (the names of {@link #parameters()}), floating
     *     point, with the right shapes; nothing else
     * @throws IllegalArgumentException naming every missing, unexpected or misshaped tensor
     */
    public static CausalLm fromTensors(ModelConfig config, Device device, Map<String, NDArray> tensors) {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(device, "device");
        Objects.requireNonNull(tensors, "tensors");
        Map<String, Shape> expected = parameterShapes(config);
        List<String> problems = new ArrayList<>();
        expected.forEach((name, shape) -> {
            NDArray array = tensors.get(name);
            if (array == null) {
                problems.add(String.format(Locale.ROOT, "tensor '%s' (shape %s) is missing", name, shape));
            } else if (!array.getShape().equals(shape)) {
                problems.add(String.format(Locale.ROOT, "tensor '%s' has shape %s, expected %s", name,
                        array.getShape(), shape));
            } else if (!array.getDataType().isFloating()) {
                problems.add(String.format(Locale.ROOT, "tensor '%s' has dtype %s; parameters must be floating-point",
                        name, array.getDataType()));
            }
        });
        tensors.keySet().stream().filter(name -> !expected.containsKey(name)).forEach(name -> problems.add(
                String.format(Locale.ROOT, "tensor '%s' is not a parameter of this model", name)));
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("the tensors do not match the " + config.modelType().hfName()
                    + " configuration: " + String.join("; ", problems));
        }
        NDManager manager = NDManager.newBaseManager(device);
        try {
            Map<String, NDArray> copies = new LinkedHashMap<>();
            for (String name : expected.keySet()) {
                NDArray copy = tensors.get(name).toType(DataType.FLOAT32, true);
                copy.attach(manager);
                if (!copy.getDevice().equals(device)) {
                    NDArray moved = copy.toDevice(device, true);
                    moved.attach(manager);
                    copy.close();
                    copy = moved;
                }
                NDScope.unregister(copy);
                copies.put(name, copy);
            }
            return new CausalLm(config, device, manager, copies);
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    /** Takes ownership of {@code manager} and of {@code tensors} (in it, complete and correctly shaped). */
    private CausalLm(ModelConfig config, Device device, NDManager manager, Map<String, NDArray> tensors) {
        this.config = config;
        this.device = device;
        this.manager = manager;
        Map<String, NDArray> ordered = new LinkedHashMap<>();
        for (String name : parameterShapes(config).keySet()) {
            NDArray array = tensors.get(name);
            NDScope.unregister(array);
            array.setName(name);
            array.setRequiresGradient(true);
            ordered.put(name, array);
        }
        this.parameters = Collections.unmodifiableMap(ordered);
        Map<String, Projection> byName = new LinkedHashMap<>();
        this.embedTokens = ordered.get("model.embed_tokens.weight");
        this.layers = new Layer[config.numHiddenLayers()];
        for (int i = 0; i < layers.length; i++) {
            String p = "model.layers." + i + ".";
            layers[i] = new Layer(
                    ordered.get(p + "input_layernorm.weight"),
                    projection(byName, ordered, p + "self_attn.q_proj"),
                    projection(byName, ordered, p + "self_attn.k_proj"),
                    projection(byName, ordered, p + "self_attn.v_proj"),
                    projection(byName, ordered, p + "self_attn.o_proj"),
                    ordered.get(p + "post_attention_layernorm.weight"),
                    projection(byName, ordered, p + "mlp.gate_proj"),
                    projection(byName, ordered, p + "mlp.up_proj"),
                    projection(byName, ordered, p + "mlp.down_proj"));
        }
        this.finalNorm = ordered.get("model.norm.weight");
        NDArray head = config.tieWordEmbeddings() ? embedTokens : ordered.get("lm_head.weight");
        this.lmHead = new Projection("lm_head.weight", head, null);
        byName.put(lmHead.name, lmHead);
        this.projections = Collections.unmodifiableMap(byName);
        this.rope = new Rope(config, manager);
        NDScope.unregister(rope.inverseFrequencies());
        this.attentionScale = (float) (1.0 / Math.sqrt(config.headDim()));
        this.normEpsilon = (float) config.rmsNormEps();
    }

    private static Projection projection(Map<String, Projection> byName, Map<String, NDArray> tensors, String prefix) {
        Projection p = new Projection(prefix + ".weight", tensors.get(prefix + ".weight"), tensors.get(prefix + ".bias"));
        byName.put(p.name, p);
        return p;
    }

    /**
     * The Hugging Face names and shapes of a configuration's parameters, in the order of transformers'
     * {@code named_parameters()} (module registration order: per layer self_attn, mlp, input_layernorm,
     * post_attention_layernorm).
     */
    static Map<String, Shape> parameterShapes(ModelConfig c) {
        long h = c.hiddenSize();
        long q = (long) c.numAttentionHeads() * c.headDim();
        long kv = (long) c.numKeyValueHeads() * c.headDim();
        long m = c.intermediateSize();
        Map<String, Shape> shapes = new LinkedHashMap<>();
        shapes.put("model.embed_tokens.weight", new Shape(c.vocabSize(), h));
        for (int i = 0; i < c.numHiddenLayers(); i++) {
            String p = "model.layers." + i + ".";
            linear(shapes, p + "self_attn.q_proj", q, h, c.qkvBias());
            linear(shapes, p + "self_attn.k_proj", kv, h, c.qkvBias());
            linear(shapes, p + "self_attn.v_proj", kv, h, c.qkvBias());
            linear(shapes, p + "self_attn.o_proj", h, q, c.outputBias());
            linear(shapes, p + "mlp.gate_proj", m, h, c.mlpBias());
            linear(shapes, p + "mlp.up_proj", m, h, c.mlpBias());
            linear(shapes, p + "mlp.down_proj", h, m, c.mlpBias());
            shapes.put(p + "input_layernorm.weight", new Shape(h));
            shapes.put(p + "post_attention_layernorm.weight", new Shape(h));
        }
        shapes.put("model.norm.weight", new Shape(h));
        if (!c.tieWordEmbeddings()) {
            shapes.put("lm_head.weight", new Shape(c.vocabSize(), h));
        }
        return shapes;
    }

    private static void linear(Map<String, Shape> shapes, String prefix, long out, long in, boolean bias) {
        shapes.put(prefix + ".weight", new Shape(out, in));
        if (bias) {
            shapes.put(prefix + ".bias", new Shape(out));
        }
    }

    /**
     * A model with fresh weights, initialised as Hugging Face's {@code _init_weights} does: linear and embedding
     * weights from {@code normal(0, 0.02)} (the embedding row of {@code pad_token_id}, when the config names one, set
     * to zero), RMSNorm weights 1, biases 0. The same seed gives the same weights on every device and run (the
     * numbers come from {@link SplittableRandom}, not from the engine's global generator).
     *
     * @param config the architecture
     * @param seed the seed of the initialisation
     * @param device where the parameters live
     */
    public static CausalLm randomInit(ModelConfig config, long seed, Device device) {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(device, "device");
        NDManager manager = NDManager.newBaseManager(device);
        try {
            SplittableRandom random = new SplittableRandom(seed);
            Integer padRow = padTokenId(config);
            Map<String, NDArray> tensors = new LinkedHashMap<>();
            for (Map.Entry<String, Shape> e : parameterShapes(config).entrySet()) {
                String name = e.getKey();
                Shape shape = e.getValue();
                NDArray array;
                if (name.endsWith("norm.weight")) {
                    array = manager.ones(shape, DataType.FLOAT32);
                } else if (name.endsWith(".bias")) {
                    array = manager.zeros(shape, DataType.FLOAT32);
                } else {
                    float[] values = normal(random.split(), Math.toIntExact(shape.size()), INITIALIZER_RANGE);
                    if (name.equals("model.embed_tokens.weight") && padRow != null) {
                        int width = (int) shape.get(1);
                        java.util.Arrays.fill(values, padRow * width, (padRow + 1) * width, 0f);
                    }
                    array = manager.create(values, shape);
                }
                NDScope.unregister(array);
                tensors.put(name, array);
            }
            return new CausalLm(config, device, manager, tensors);
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    /**
     * Loads a Hugging Face model folder: {@code config.json} and {@code model.safetensors}, or the shards listed in
     * {@code model.safetensors.index.json}. Floating tensors of any stored type (F32, F16, BF16, F64) are widened
     * to float32. A tied model may lack {@code lm_head.weight} (a stored one is ignored, as transformers ties it to the
     * embedding); rotary {@code inv_freq} buffers of old checkpoints are ignored.
     *
     * @param folder the model folder
     * @param device where the parameters will live
     * @throws CheckpointException naming the file and tensor when a tensor is missing, unexpected, misshaped or not
     *     floating-point, or a file is unreadable or corrupt
     * @throws IllegalArgumentException naming the field when {@code config.json} is not a supported configuration
     */
    public static CausalLm load(Path folder, Device device) {
        Objects.requireNonNull(folder, "folder");
        Objects.requireNonNull(device, "device");
        ModelConfig config = ModelConfig.read(folder);
        Map<String, Shape> expected = parameterShapes(config);
        Map<String, TensorInfo> found = new LinkedHashMap<>(Checkpoint.index(folder));
        found.keySet().removeIf(name -> ignoredOnLoad(config, name));
        Checkpoint.validate(folder, expected, found);
        for (TensorInfo info : found.values()) {
            if (!info.dtype().isFloating()) {
                throw new CheckpointException(info.file(), info.name(),
                        "has dtype " + info.dtype().safetensorsName() + "; parameters must be floating-point");
            }
        }
        Map<Path, List<TensorInfo>> byFile = new LinkedHashMap<>();
        found.values().forEach(info -> byFile.computeIfAbsent(info.file(), f -> new ArrayList<>()).add(info));
        NDManager manager = NDManager.newBaseManager(device);
        try {
            Map<String, NDArray> tensors = new LinkedHashMap<>();
            for (Map.Entry<Path, List<TensorInfo>> e : byFile.entrySet()) {
                try (SafetensorsFile file = SafetensorsFile.open(e.getKey())) {
                    for (TensorInfo info : e.getValue()) {
                        NDArray array = file.read(info.name(), manager);
                        NDScope.unregister(array);
                        tensors.put(info.name(), array);
                    }
                }
            }
            return new CausalLm(config, device, manager, tensors);
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    /** Tensors transformers also ignores: a tied model's stored head, rotary buffers of old Llama checkpoints. */
    private static boolean ignoredOnLoad(ModelConfig config, String name) {
        return (config.tieWordEmbeddings() && name.equals("lm_head.weight")) || name.endsWith("rotary_emb.inv_freq");
    }

    /**
     * Saves the model as a Hugging Face folder: {@code config.json} (with {@code torch_dtype} naming the storage
     * type) and {@code model.safetensors}, or, above 5 GB, shards with {@code model.safetensors.index.json}, as
     * transformers' {@code save_pretrained} writes them ({@link Checkpoint#writeTensors}). Every file is written to a
     * temporary file and renamed; weight files of an earlier save that this one does not use are deleted; other files
     * in the folder (tokenizer, trainer state) are kept. To survive a crash mid-save as a whole, save into a fresh
     * folder and rename it.
     *
     * @param folder created if absent
     * @param floatStorage F32 (bit-exact), BF16 or F16 (rounded to nearest even, as PyTorch's {@code to(dtype)})
     * @throws IllegalArgumentException when {@code floatStorage} is not F32, BF16 or F16
     * @throws CheckpointException naming the file when writing fails
     */
    public void save(Path folder, TensorDtype floatStorage) {
        save(folder, floatStorage, Checkpoint.DEFAULT_MAX_SHARD_BYTES);
    }

    /** {@link #save(Path, TensorDtype)} with another shard size (tests). */
    void save(Path folder, TensorDtype floatStorage, long maxShardBytes) {
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
        Checkpoint.writeTensors(folder, parameters, floatStorage, maxShardBytes);
        try {
            config.toBuilder().torchDtype(torchDtype).build().write(folder);
        } catch (UncheckedIOException e) {
            throw new CheckpointException(folder.resolve("config.json"), null, "cannot be written: "
                    + e.getMessage(), e);
        }
    }

    private static float[] normal(SplittableRandom random, int count, double std) {
        float[] values = new float[count];
        for (int i = 0; i < count; i++) {
            values[i] = (float) (random.nextGaussian() * std);
        }
        return values;
    }

    /** {@code pad_token_id} of {@code config.json} when it is an id inside the vocabulary, else null. */
    private static Integer padTokenId(ModelConfig config) {
        JsonElement pad = config.extraFields().get("pad_token_id");
        if (pad == null || !pad.isJsonPrimitive() || !pad.getAsJsonPrimitive().isNumber()) {
            return null;
        }
        double id = pad.getAsDouble();
        return id == Math.rint(id) && id >= 0 && id < config.vocabSize() ? (int) id : null;
    }

    /**
     * This model's parameters under another configuration that describes exactly the same tensors: for example a
     * longer context through another {@code rope_scaling} factor and {@code max_position_embeddings} (see
     * {@code ai.redstar.train.context.ContextExtension}), or another {@code rope_theta}. The rotary tables are rebuilt
     * from {@code newConfig}; nothing is copied.
     *
     * <p><b>Ownership moves:</b> the returned model owns the parameter arrays (the same objects, each keeping its
     * {@code requiresGradient} state) and the attention kernel carries over; this model is closed as
     * a result (its {@link #close()} is then a no-op and its methods throw), and its KV caches can no longer be used.
     *
     * @param newConfig a configuration whose {@link #parameters()} have the same names and shapes as this one's
     * @return a new model over the same arrays, on the same device
     * @throws IllegalArgumentException naming the first tensor whose shape differs (or that only one side has)
     * @throws IllegalStateException when an adapter is installed (remove adapters first: change the configuration,
     *     then attach adapters to the result), or when this model is closed
     */
    public CausalLm withConfig(ModelConfig newConfig) {
        checkOpen();
        Objects.requireNonNull(newConfig, "newConfig");
        Map<String, Shape> mine = parameterShapes(config);
        Map<String, Shape> theirs = parameterShapes(newConfig);
        if (!mine.equals(theirs)) {
            String name = mine.keySet().stream().filter(n -> !mine.get(n).equals(theirs.get(n))).findFirst()
                    .orElseGet(() -> theirs.keySet().stream().filter(n -> !mine.containsKey(n)).findFirst()
                            .orElseThrow());
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                    "the new configuration describes other tensors: '%s' has shape %s here and %s there; only"
                            + " fields that leave the parameters unchanged (rope_scaling, rope_theta,"
                            + " max_position_embeddings, ...) may differ", name,
                    mine.containsKey(name) ? mine.get(name) : "(absent)",
                    theirs.containsKey(name) ? theirs.get(name) : "(absent)"));
        }
        for (Projection p : projections.values()) {
            if (p.adapter != null) {
                throw new IllegalStateException("an adapter is installed on " + p.name + "; remove adapters before"
                        + " withConfig and attach them to the model it returns");
            }
        }
        Map<String, Boolean> requiresGradient = new LinkedHashMap<>();
        parameters.forEach((name, array) -> requiresGradient.put(name, array.hasGradient()));
        CausalLm moved = new CausalLm(newConfig, device, manager, parameters);
        moved.parameters.forEach((name, array) -> {
            if (!requiresGradient.get(name)) {
                array.setRequiresGradient(false);
            }
        });
        moved.attentionKernel = attentionKernel;
        closed = true; // the manager now belongs to the moved model
        rope.inverseFrequencies().close();
        return moved;
    }

    /** Whether {@link #close()} was called (or the parameters moved to another model by {@link #withConfig}). */
    public boolean isClosed() {
        return closed;
    }

    /** The architecture. */
    public ModelConfig config() {
        return config;
    }

    /** The device the parameters live on; inputs must live there too. */
    public Device device() {
        return device;
    }

    /**
     * The live parameter arrays keyed by Hugging Face name, in transformers' {@code named_parameters()} order:
     * {@code model.embed_tokens.weight}; per layer {@code model.layers.{i}.self_attn.{q,k,v,o}_proj.{weight,bias}},
     * {@code mlp.{gate,up,down}_proj.{weight,bias}}, {@code input_layernorm.weight},
     * {@code post_attention_layernorm.weight}; {@code model.norm.weight}; {@code lm_head.weight} (untied models only).
     * Biases appear as the configuration has them. The arrays are owned by the model; update them in place.
     */
    public Map<String, NDArray> parameters() {
        checkOpen();
        return parameters;
    }

    /**
     * Sets the gradient of every parameter to zero (gradients accumulate over backward passes until zeroed).
     * Adapters zero their own.
     */
    public void zeroGradients() {
        checkOpen();
        for (NDArray p : parameters.values()) {
            if (p instanceof PtNDArray pt) {
                JniUtils.zeroGrad(pt);
            } else {
                try (NDArray g = p.getGradient()) {
                    g.subi(g);
                }
            }
        }
    }

    /**
     * Next-token logits.
     *
     * @param inputIds {@code [batch, seq]} int64 token ids in {@code [0, vocab)}
     * @param positionIds {@code [batch, seq]} int64 rotary positions
     * @param segmentIds {@code [batch, seq]} int64 segment ids (0 = padding)
     * @return {@code [batch, seq, vocab]} float32
     * @throws IllegalArgumentException naming the shape or dtype of a malformed input, or an id outside the vocabulary
     */
    public NDArray forward(NDArray inputIds, NDArray positionIds, NDArray segmentIds) {
        return forward(inputIds, positionIds, segmentIds, null);
    }

    /**
     * Next-token logits of a chunk that continues the tokens in {@code cache}: the chunk attends the cached tokens and
     * itself, and its keys, values and segment ids are appended to the cache (whose length grows by {@code seq} once
     * the whole pass succeeded).
     *
     * @param cache a cache made by this model's {@link #newKvCache} with the same batch, or null for none
     * @return {@code [batch, seq, vocab]} float32
     * @throws IllegalArgumentException for malformed inputs or a cache of another model or batch
     * @throws IllegalStateException when the chunk does not fit in the cache's capacity
     */
    public NDArray forward(NDArray inputIds, NDArray positionIds, NDArray segmentIds, KvCache cache) {
        checkInputs(inputIds, positionIds, segmentIds, cache);
        NDArray logits;
        try (NDScope scope = new NDScope()) {
            NDArray hidden = decode(inputIds, positionIds, segmentIds, cache);
            logits = lmHead.apply(hidden);
            NDScope.unregister(logits);
        }
        return handOver(logits, inputIds.getManager());
    }

    /**
     * The token embeddings of {@code inputIds} (the rows of {@code model.embed_tokens.weight}), the decoder's input:
     * what a multimodal model edits (image features at the image placeholder positions) before
     * {@link #forwardFromEmbeddings}. Differentiable with respect to the embedding.
     *
     * @param inputIds {@code [batch, seq]} int64 token ids in {@code [0, vocab)}
     * @return {@code [batch, seq, hidden]} float32, owned as a forward result (see the class comment)
     * @throws IllegalArgumentException naming the shape or dtype of malformed ids, or an id outside the vocabulary
     */
    public NDArray embed(NDArray inputIds) {
        checkOpen();
        Objects.requireNonNull(inputIds, "inputIds");
        checkTokens("inputIds", inputIds, inputIds.getShape());
        checkVocabulary(inputIds);
        NDArray x;
        try (NDScope scope = new NDScope()) {
            x = Embedding.embedding(inputIds, embedTokens, SparseFormat.DENSE).singletonOrThrow();
            NDScope.unregister(x);
        }
        return handOver(x, inputIds.getManager());
    }

    /**
     * {@link #forward(NDArray, NDArray, NDArray, KvCache)} from input embeddings instead of token ids (Hugging Face's
     * {@code inputs_embeds}): the same positions, segments and cache semantics; {@code forward(ids, ...)} equals
     * {@code forwardFromEmbeddings(embed(ids), ...)} exactly.
     *
     * @param inputEmbeddings {@code [batch, seq, hidden]} float32, e.g. from {@link #embed} with some rows replaced
     * @param positionIds {@code [batch, seq]} int64 rotary positions
     * @param segmentIds {@code [batch, seq]} int64 segment ids (0 = padding)
     * @param cacheOrNull a cache made by this model's {@link #newKvCache} with the same batch, or null
     * @return {@code [batch, seq, vocab]} float32
     * @throws IllegalArgumentException for malformed inputs or a cache of another model or batch
     */
    public NDArray forwardFromEmbeddings(NDArray inputEmbeddings, NDArray positionIds, NDArray segmentIds,
            KvCache cacheOrNull) {
        checkEmbeddingInputs(inputEmbeddings, positionIds, segmentIds, cacheOrNull);
        NDArray logits;
        try (NDScope scope = new NDScope()) {
            NDArray hidden = decodeEmbedded(inputEmbeddings, positionIds, segmentIds, cacheOrNull);
            logits = lmHead.apply(hidden);
            NDScope.unregister(logits);
        }
        return handOver(logits, inputEmbeddings.getManager());
    }

    /**
     * {@link #hiddenStates} from input embeddings instead of token ids; see {@link #forwardFromEmbeddings}.
     *
     * @return {@code [batch, seq, hidden]} float32, after the final norm
     */
    public NDArray hiddenStatesFromEmbeddings(NDArray inputEmbeddings, NDArray positionIds, NDArray segmentIds,
            KvCache cacheOrNull) {
        checkEmbeddingInputs(inputEmbeddings, positionIds, segmentIds, cacheOrNull);
        NDArray hidden;
        try (NDScope scope = new NDScope()) {
            hidden = decodeEmbedded(inputEmbeddings, positionIds, segmentIds, cacheOrNull);
            NDScope.unregister(hidden);
        }
        return handOver(hidden, inputEmbeddings.getManager());
    }

    /**
     * The hidden states after the final norm (for value heads and log-probabilities computed in chunks), with the
     * same inputs and cache behaviour as {@link #forward(NDArray, NDArray, NDArray, KvCache)}.
     *
     * @return {@code [batch, seq, hidden]} float32
     */
    public NDArray hiddenStates(NDArray inputIds, NDArray positionIds, NDArray segmentIds, KvCache cacheOrNull) {
        checkInputs(inputIds, positionIds, segmentIds, cacheOrNull);
        NDArray hidden;
        try (NDScope scope = new NDScope()) {
            hidden = decode(inputIds, positionIds, segmentIds, cacheOrNull);
            NDScope.unregister(hidden);
        }
        return handOver(hidden, inputIds.getManager());
    }

    /**
     * The output head applied to hidden states from {@link #hiddenStates}.
     *
     * @param hiddenStates {@code [batch, seq, hidden]} float32
     * @return {@code [batch, seq, vocab]} float32
     */
    public NDArray logits(NDArray hiddenStates) {
        checkOpen();
        Objects.requireNonNull(hiddenStates, "hiddenStates");
        Shape shape = hiddenStates.getShape();
        if (shape.dimension() != 3 || shape.get(2) != config.hiddenSize()
                || hiddenStates.getDataType() != DataType.FLOAT32) {
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                    "hidden states must be [batch, seq, %d] float32, got shape %s of %s",
                    config.hiddenSize(), shape, hiddenStates.getDataType()));
        }
        checkDevice("hiddenStates", hiddenStates);
        NDArray logits;
        try (NDScope scope = new NDScope()) {
            logits = lmHead.apply(hiddenStates);
            NDScope.unregister(logits);
        }
        return handOver(logits, hiddenStates.getManager());
    }

    /** Moves a result out of a method's scope into the caller's manager and innermost scope. */
    private static NDArray handOver(NDArray result, NDManager owner) {
        result.attach(owner);
        NDScope.register(result);
        return result;
    }

    /** The decoder body; every temporary it makes belongs to the enclosing scope. */
    private NDArray decode(NDArray inputIds, NDArray positionIds, NDArray segmentIds, KvCache cache) {
        long batch = inputIds.getShape().get(0);
        long seq = inputIds.getShape().get(1);
        NDArray x = Embedding.embedding(inputIds, embedTokens, SparseFormat.DENSE).singletonOrThrow();
        return decodeBody(x, positionIds, segmentIds, cache, batch, seq);
    }

    /** The decoder body over input embeddings; every temporary it makes belongs to the enclosing scope. */
    private NDArray decodeEmbedded(NDArray embeddings, NDArray positionIds, NDArray segmentIds, KvCache cache) {
        long batch = embeddings.getShape().get(0);
        long seq = embeddings.getShape().get(1);
        return decodeBody(embeddings, positionIds, segmentIds, cache, batch, seq);
    }

    private NDArray decodeBody(NDArray embeddings, NDArray positionIds, NDArray segmentIds, KvCache cache,
            long batch, long seq) {
        int start = cache == null ? 0 : cache.length();
        NDArray keySegments = segmentIds;
        if (cache != null) {
            cache.writeSegments(segmentIds);
            keySegments = cache.segments(start + seq);
        }
        NDArray bias = AttentionMasks.causalSegmentBias(segmentIds, keySegments, start);
        NDArray[] tables = rope.tables(positionIds);
        AttentionKernel kernel = attentionKernel;
        NDArray x = embeddings;
        for (int i = 0; i < layers.length; i++) {
            Layer layer = layers[i];
            NDArray attended = attention(i, layer, rmsNorm(x, layer.inputNorm), tables, bias, cache, kernel,
                    batch, seq);
            x = x.add(attended);
            NDArray h = rmsNorm(x, layer.postNorm);
            NDArray gate = layer.gate.apply(h);
            NDArray activated = gate.mul(gate.getNDArrayInternal().sigmoid()).mul(layer.up.apply(h));
            x = x.add(layer.down.apply(activated));
        }
        NDArray out = rmsNorm(x, finalNorm);
        if (cache != null) {
            cache.advance(seq);
        }
        return out;
    }

    private NDArray attention(int index, Layer layer, NDArray h, NDArray[] tables, NDArray bias, KvCache cache,
            AttentionKernel kernel, long batch, long seq) {
        int heads = config.numAttentionHeads();
        int kvHeads = config.numKeyValueHeads();
        int headDim = config.headDim();
        NDArray q = layer.q.apply(h).reshape(batch, seq, heads, headDim);
        NDArray k = layer.k.apply(h).reshape(batch, seq, kvHeads, headDim);
        NDArray v = layer.v.apply(h).reshape(batch, seq, kvHeads, headDim);
        q = rope.apply(q, tables[0], tables[1]).transpose(0, 2, 1, 3);
        k = rope.apply(k, tables[0], tables[1]).transpose(0, 2, 1, 3);
        v = v.transpose(0, 2, 1, 3);
        if (cache != null) {
            long end = cache.length() + seq;
            cache.write(index, k, v);
            k = cache.keys(index, end);
            v = cache.values(index, end);
        }
        NDArray out = kernel.attend(q, k, v, bias, attentionScale);
        return layer.o.apply(out.transpose(0, 2, 1, 3).reshape(batch, seq, (long) heads * headDim));
    }

    /**
     * {@code x · rsqrt(mean(x²) + eps) · weight}, in fp32 like Hugging Face's {@code Qwen2RMSNorm}. The exponent is a
     * tensor libtorch owns: DJL's {@code pow(Number)} wraps a Java direct buffer that the garbage collector may free
     * while the graph still needs it for backward (sporadic NaN gradients); the result is bit-identical.
     */
    private NDArray rmsNorm(NDArray x, NDArray weight) {
        NDArray variance = x.square().mean(new int[] {-1}, true);
        NDArray exponent = x.getManager().full(new Shape(), -0.5f, DataType.FLOAT32);
        return x.mul(variance.add(normEpsilon).pow(exponent)).mul(weight);
    }

    /**
     * A KV cache for this model.
     *
     * @param batch number of rows
     * @param capacity maximum number of positions per row (prompt and generated tokens)
     * @param manager the parent of the cache's own sub-manager (closing it closes the cache's buffers)
     */
    public KvCache newKvCache(int batch, int capacity, NDManager manager) {
        checkOpen();
        Objects.requireNonNull(manager, "manager");
        return new KvCache(this, config, batch, capacity, manager, device);
    }

    /**
     * Installs (or, with {@code null}, removes) an additive update on one linear projection: its output becomes
     * {@code x·Wᵀ + b + adapter.delta(x)}.
     *
     * @param weightName the Hugging Face name of the projection's weight, e.g.
     *     {@code model.layers.0.self_attn.q_proj.weight}; {@code lm_head.weight} names the output head, also when it is
     *     tied to the embedding
     * @throws IllegalArgumentException when no linear projection has that weight name
     */
    public void setAdapter(String weightName, LinearAdapter adapter) {
        checkOpen();
        Projection p = projections.get(weightName);
        if (p == null) {
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                    "'%s' is not the weight of a linear projection of this model; expected a name such as"
                            + " model.layers.0.self_attn.q_proj.weight, model.layers.%d.mlp.down_proj.weight or"
                            + " lm_head.weight", weightName, config.numHiddenLayers() - 1));
        }
        p.adapter = adapter;
    }

    /** The adapter installed on a projection, or null. */
    public LinearAdapter adapter(String weightName) {
        Projection p = projections.get(weightName);
        return p == null ? null : p.adapter;
    }

    /** Replaces the attention computation; {@link PlainAttention#INSTANCE} is the default. */
    public void setAttentionKernel(AttentionKernel kernel) {
        checkOpen();
        this.attentionKernel = Objects.requireNonNull(kernel, "kernel");
    }

    /** The attention computation in use. */
    public AttentionKernel attentionKernel() {
        return attentionKernel;
    }

    private void checkInputs(NDArray inputIds, NDArray positionIds, NDArray segmentIds, KvCache cache) {
        checkOpen();
        Objects.requireNonNull(inputIds, "inputIds");
        Objects.requireNonNull(positionIds, "positionIds");
        Objects.requireNonNull(segmentIds, "segmentIds");
        Shape shape = inputIds.getShape();
        checkTokens("inputIds", inputIds, shape);
        checkTokens("positionIds", positionIds, shape);
        checkTokens("segmentIds", segmentIds, shape);
        checkCache(cache, shape);
        checkVocabulary(inputIds);
    }

    private void checkEmbeddingInputs(NDArray embeddings, NDArray positionIds, NDArray segmentIds, KvCache cache) {
        checkOpen();
        Objects.requireNonNull(embeddings, "inputEmbeddings");
        Objects.requireNonNull(positionIds, "positionIds");
        Objects.requireNonNull(segmentIds, "segmentIds");
        Shape shape = embeddings.getShape();
        if (shape.dimension() != 3 || shape.get(0) == 0 || shape.get(1) == 0 || shape.get(2) != config.hiddenSize()
                || embeddings.getDataType() != DataType.FLOAT32) {
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                    "inputEmbeddings must be a non-empty [batch, seq, %d] float32 tensor, got shape %s of %s",
                    config.hiddenSize(), shape, embeddings.getDataType()));
        }
        checkDevice("inputEmbeddings", embeddings);
        Shape tokens = new Shape(shape.get(0), shape.get(1));
        checkTokens("positionIds", positionIds, tokens);
        checkTokens("segmentIds", segmentIds, tokens);
        checkCache(cache, tokens);
    }

    private void checkCache(KvCache cache, Shape shape) {
        if (cache != null) {
            if (!cache.belongsTo(this)) {
                throw new IllegalArgumentException("the KV cache was made by another model; use newKvCache of this one");
            }
            if (cache.batch() != shape.get(0)) {
                throw new IllegalArgumentException(String.format(Locale.ROOT,
                        "inputs have batch %d (shape %s) but the KV cache holds %d rows",
                        shape.get(0), shape, cache.batch()));
            }
        }
    }

    private void checkVocabulary(NDArray inputIds) {
        Shape shape = inputIds.getShape();
        long min;
        long max;
        try (NDScope scope = new NDScope()) {
            min = inputIds.min().getLong();
            max = inputIds.max().getLong();
        }
        if (min < 0 || max >= config.vocabSize()) {
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                    "inputIds %s hold token id %d, outside the vocabulary [0, %d)",
                    shape, min < 0 ? min : max, config.vocabSize()));
        }
    }

    private void checkTokens(String name, NDArray array, Shape expected) {
        Shape shape = array.getShape();
        if (shape.dimension() != 2 || shape.get(0) == 0 || shape.get(1) == 0) {
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                    "%s must be a non-empty [batch, seq] tensor, got shape %s", name, shape));
        }
        if (!shape.equals(expected)) {
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                    "%s has shape %s but inputIds have shape %s; all three inputs must be [batch, seq]",
                    name, shape, expected));
        }
        if (array.getDataType() != DataType.INT64) {
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                    "%s (shape %s) must be int64, got %s; convert with toType(DataType.INT64, false)",
                    name, shape, array.getDataType()));
        }
        checkDevice(name, array);
    }

    private void checkDevice(String name, NDArray array) {
        if (!array.getDevice().equals(device)) {
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                    "%s (shape %s) is on %s but the model is on %s", name, array.getShape(), array.getDevice(),
                    device));
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("this CausalLm is closed (or its parameters moved to the model that"
                    + " withConfig returned)");
        }
    }

    /** Frees the parameters. Idempotent. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            manager.close();
        }
    }

    @Override
    public String toString() {
        return "CausalLm{" + config + ", device=" + device + ", parameters=" + config.parameterCount() + "}";
    }

    /** One linear projection {@code x·Wᵀ + b} and its optional adapter. */
    private static final class Projection {
        final String name;
        final NDArray weight;
        final NDArray bias;
        volatile LinearAdapter adapter;

        Projection(String name, NDArray weight, NDArray bias) {
            this.name = name;
            this.weight = weight;
            this.bias = bias;
        }

        /** {@code x·Wᵀ + b (+ delta(x))} for {@code x} {@code [batch, seq, in]}. */
        NDArray apply(NDArray x) {
            Shape shape = x.getShape();
            long rows = shape.get(0) * shape.get(1);
            // On [rows, in] the bias is fused into one addmm; on 3-D input libtorch runs matmul then add_.
            NDArray flat = x.reshape(rows, shape.get(2));
            NDArray y = Linear.linear(flat, weight, bias).singletonOrThrow()
                    .reshape(shape.get(0), shape.get(1), weight.getShape().get(0));
            LinearAdapter a = adapter;
            return a == null ? y : y.add(a.delta(x));
        }
    }

    /** The parameters of one decoder layer. */
    private record Layer(NDArray inputNorm, Projection q, Projection k, Projection v, Projection o,
            NDArray postNorm, Projection gate, Projection up, Projection down) {}
}
