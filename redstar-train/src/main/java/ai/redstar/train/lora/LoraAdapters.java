package ai.redstar.train.lora;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import ai.redstar.core.checkpoint.Checkpoint;
import ai.redstar.core.checkpoint.CheckpointException;
import ai.redstar.core.checkpoint.Safetensors;
import ai.redstar.core.checkpoint.SafetensorsFile;
import ai.redstar.core.checkpoint.TensorDtype;
import ai.redstar.core.checkpoint.TensorInfo;
import ai.redstar.core.model.CausalLm;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiFunction;

/**
 * LoRA adapters attached to a {@link CausalLm}: one {@link ai.redstar.core.model.LinearAdapter} per targeted
 * projection of every layer, with the base model frozen. Follows PEFT's {@code lora.Linear} exactly: the update is
 * {@code (α/r)·dropout(x)·Aᵀ·Bᵀ}; {@code A} {@code [r, in]} starts from PEFT's {@code kaiming_uniform_(a=√5)}, i.e.
 * {@code U(-1/√in, 1/√in)}, and {@code B} {@code [out, r]} from zeros, so the adapted model starts equal to the base.
 *
 * <pre>{@code
 * try (LoraAdapters lora = LoraAdapters.attach(model, LoraConfig.builder().rank(16).build())) {
 *     lora.training(true);
 *     // train lora.parameters() (the base model's parameters no longer require gradients)
 *     lora.savePeft(Path.of("out/adapter"));      // adapter_config.json + adapter_model.safetensors
 *     lora.saveMerged(Path.of("out/merged"));     // a plain Hugging Face model folder
 * }
 * }</pre>
 *
 * <p><b>Parameters and PEFT names.</b> {@link #parameters()} maps PEFT's checkpoint names, e.g.
 * {@code base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight}, to the live arrays, in the order of
 * PEFT's state dict (layer by layer; q, k, v, o, gate, up, down; A before B). {@link #savePeft} writes them under
 * those names (PEFT saves without the adapter name {@code default}), which {@code PeftModel.from_pretrained} loads.
 *
 * <p><b>Freezing.</b> {@link #attach} calls {@code setRequiresGradient(false)} on every base parameter (no gradient, so
 * an optimiser given only {@link #parameters()} keeps no state for them) and {@link #detach()} restores each one's
 * earlier setting.
 *
 * <p><b>Dropout.</b> Off until {@link #training(boolean) training(true)}. In training mode each adapted projection
 * call draws a fresh mask {@code Bernoulli(1-p)/(1-p)} over its input from PyTorch's generator, reseeded first with a
 * hash of ({@link LoraConfig#seed()}, draw number): the masks depend only on the seed and on how many were drawn
 * before ({@link #dropoutDraws()}, restorable with {@link #seekDropout(long)} for an exact resume). This reseeds
 * PyTorch's global generator: other code drawing from it after a training-mode forward pass gets a stream that
 * depends on the last mask's seed.
 *
 * <p><b>Ownership.</b> The adapter arrays belong to this object's own NDManager, on the model's device, until
 * {@link #close()}; the model is not owned (close it separately, after or before this). Arrays from
 * {@link #parameters()} are live: update them in place.
 *
 * <p><b>Thread-safety.</b> Not thread-safe: {@link #attach}, {@link #training}, the save and merge methods,
 * {@link #detach} and {@link #close} must not race with each other or with forward passes, and training-mode
 * forward passes must run one at a time (evaluation-mode ones may run concurrently).
 */
public final class LoraAdapters implements AutoCloseable {
    /** The file of the adapter's configuration in a PEFT folder. */
    public static final String CONFIG_FILE = "adapter_config.json";
    /** The file of the adapter's weights in a PEFT folder. */
    public static final String WEIGHTS_FILE = "adapter_model.safetensors";
    /** What PEFT's {@code PeftModelForCausalLM} puts before the transformers parameter names. */
    static final String PEFT_PREFIX = "base_model.model.";

    private enum State { ATTACHED, DETACHED, CLOSED }

    private final CausalLm model;
    private final LoraConfig config;
    private final NDManager manager;
    private final List<LoraLinear> adapters;
    private final Map<String, NDArray> parameters;
    private final Map<String, Boolean> baseRequiredGradient;
    private final AtomicLong dropoutDraws = new AtomicLong();
    private volatile boolean training;
    private State state;

    /** Takes ownership of {@code manager} and of {@code arrays} (PEFT name to array, A before B, in it). */
    private LoraAdapters(CausalLm model, LoraConfig config, NDManager manager, Map<String, NDArray> arrays) {
        this.model = model;
        this.config = config;
        this.manager = manager;
        List<LoraLinear> made = new ArrayList<>();
        NDArray a = null;
        for (Map.Entry<String, NDArray> e : arrays.entrySet()) {
            if (a == null) {
                a = e.getValue();
            } else {
                made.add(new LoraLinear(weightName(e.getKey()), a, e.getValue(), (float) config.scaling(), this));
                a = null;
            }
        }
        this.adapters = List.copyOf(made);
        this.parameters = Collections.unmodifiableMap(new LinkedHashMap<>(arrays));
        this.baseRequiredGradient = new LinkedHashMap<>();
    }

    /**
     * Attaches fresh adapters ({@code A} from {@code U(-1/√in, 1/√in)} seeded by {@link LoraConfig#seed()},
     * {@code B = 0}) to every targeted projection of every layer and freezes the base model. The adapted model's
     * output equals the base model's until {@code B} changes. Evaluation mode (no dropout).
     *
     * @throws IllegalStateException when the model is closed or a targeted projection already has an adapter
     */
    public static LoraAdapters attach(CausalLm model, LoraConfig config) {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(config, "config");
        SplittableRandom random = new SplittableRandom(config.seed());
        return attach(model, config, (name, shape) -> {
            if (name.endsWith(".lora_B.weight")) {
                return null; // zeros
            }
            double bound = 1.0 / Math.sqrt(shape.get(1));
            SplittableRandom own = random.split();
            float[] values = new float[Math.toIntExact(shape.size())];
            for (int i = 0; i < values.length; i++) {
                values[i] = (float) own.nextDouble(-bound, bound);
            }
            return values;
        });
    }

    /**
     * Loads a PEFT LoRA adapter folder ({@value #CONFIG_FILE} and {@value #WEIGHTS_FILE}, as
     * {@code PeftModel.save_pretrained} writes them) and attaches it to {@code model}, frozen as {@link #attach}
     * does. Weights stored as F16 or BF16 are widened to float32. The dropout seed is {@link LoraConfig#seed()}'s
     * default (PEFT does not record one).
     *
     * @throws IllegalArgumentException naming the file and field when the configuration is not a plain LoRA
     *     adapter on q/k/v/o/gate/up/down projections (DoRA, rsLoRA, biases, per-module ranks, regex targets...)
     * @throws CheckpointException naming the file and listing every missing, unexpected or misshaped tensor
     * @throws UncheckedIOException when a file cannot be read
     */
    public static LoraAdapters loadPeft(CausalLm model, Path folder) {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(folder, "folder");
        LoraConfig config = PeftAdapterConfig.read(folder.resolve(CONFIG_FILE));
        Path weights = folder.resolve(WEIGHTS_FILE);
        if (!Files.isRegularFile(weights)) {
            boolean pickle = Files.isRegularFile(folder.resolve("adapter_model.bin"));
            throw new CheckpointException(weights, null, pickle
                    ? "is missing; the folder holds adapter_model.bin (a pickle), which is not read: save the adapter"
                            + " with safe_serialization=True"
                    : "is missing");
        }
        Map<String, Shape> expected = expectedShapes(model, config);
        try (SafetensorsFile file = SafetensorsFile.open(weights)) {
            checkTensors(weights, expected, file.tensors());
            return attach(model, config, (name, shape) -> file.readFloats(name));
        }
    }

    /** The PEFT names and shapes of the adapter tensors for {@code config} on {@code model}, in PEFT's order. */
    static Map<String, Shape> expectedShapes(CausalLm model, LoraConfig config) {
        Map<String, Shape> shapes = new LinkedHashMap<>();
        for (int layer = 0; layer < model.config().numHiddenLayers(); layer++) {
            for (LoraTarget t : config.targets()) {
                String weight = t.modulePath(layer) + ".weight";
                Shape outIn = model.parameters().get(weight).getShape();
                shapes.put(peftName(weight, "lora_A"), new Shape(config.rank(), outIn.get(1)));
                shapes.put(peftName(weight, "lora_B"), new Shape(outIn.get(0), config.rank()));
            }
        }
        return shapes;
    }

    private static void checkTensors(Path file, Map<String, Shape> expected, Map<String, TensorInfo> found) {
        List<String> problems = new ArrayList<>();
        List<String> names = new ArrayList<>();
        expected.forEach((name, shape) -> {
            TensorInfo info = found.get(name);
            String problem = null;
            if (info == null) {
                problem = "tensor '" + name + "' (shape " + shape + ") is missing";
            } else if (!info.shape().equals(shape)) {
                problem = "tensor '" + name + "' has shape " + info.shape() + ", expected " + shape;
            } else if (!info.dtype().isFloating()) {
                problem = "tensor '" + name + "' has dtype " + info.dtype().safetensorsName()
                        + "; expected a floating-point type";
            }
            if (problem != null) {
                problems.add(problem);
                names.add(name);
            }
        });
        for (String name : found.keySet()) {
            if (!expected.containsKey(name)) {
                problems.add("tensor '" + name + "' is not a LoRA weight of the configured targets");
                names.add(name);
            }
        }
        if (!problems.isEmpty()) {
            throw new CheckpointException(file, names.size() == 1 ? names.get(0) : null, String.format(Locale.ROOT,
                    "does not match %s and the model (%d problem%s); was the adapter trained on this base model?"
                            + "%n  %s", CONFIG_FILE, problems.size(), problems.size() == 1 ? "" : "s",
                    String.join(System.lineSeparator() + "  ", problems)));
        }
    }

    /**
     * Creates the adapter arrays ({@code init} gives each one's values by PEFT name and shape, null for zeros),
     * installs them and freezes the base model.
     */
    private static LoraAdapters attach(CausalLm model, LoraConfig config, BiFunction<String, Shape, float[]> init) {
        if (model.isClosed()) {
            throw new IllegalStateException("the model is closed; attach LoRA to an open CausalLm");
        }
        Map<String, Shape> shapes = expectedShapes(model, config);
        for (String name : shapes.keySet()) {
            String weight = weightName(name);
            if (model.adapter(weight) != null) {
                throw new IllegalStateException("the projection " + weight + " already has an adapter; detach the"
                        + " other adapters first");
            }
        }
        NDManager manager = NDManager.newBaseManager(model.device());
        try {
            Map<String, NDArray> arrays = new LinkedHashMap<>();
            for (Map.Entry<String, Shape> e : shapes.entrySet()) {
                float[] values = init.apply(e.getKey(), e.getValue());
                NDArray array = values == null ? manager.zeros(e.getValue(), DataType.FLOAT32)
                        : manager.create(values, e.getValue());
                NDScope.unregister(array);
                array.setName(e.getKey());
                array.setRequiresGradient(true);
                arrays.put(e.getKey(), array);
            }
            LoraAdapters lora = new LoraAdapters(model, config, manager, arrays);
            lora.install();
            return lora;
        } catch (RuntimeException | Error e) {
            manager.close();
            throw e;
        }
    }

    private void install() {
        model.parameters().forEach((name, p) -> {
            baseRequiredGradient.put(name, p.hasGradient());
            p.setRequiresGradient(false);
        });
        for (LoraLinear adapter : adapters) {
            model.setAdapter(adapter.weightName, adapter);
        }
        state = State.ATTACHED;
    }

    /** PEFT's checkpoint name of {@code kind} ({@code lora_A}/{@code lora_B}) for a projection's weight. */
    static String peftName(String weightName, String kind) {
        return PEFT_PREFIX + weightName.substring(0, weightName.length() - ".weight".length()) + "." + kind
                + ".weight";
    }

    /** The projection's weight name for a PEFT name made by {@link #peftName}. */
    private static String weightName(String peftName) {
        String module = peftName.substring(PEFT_PREFIX.length(), peftName.length() - ".lora_A.weight".length());
        return module + ".weight";
    }

    /** The configuration. */
    public LoraConfig config() {
        return config;
    }

    /** The model the adapters were attached to. */
    public CausalLm model() {
        return model;
    }

    /**
     * The trainable arrays keyed by PEFT checkpoint name, in PEFT's order: per layer and target
     * {@code base_model.model.model.layers.{i}.self_attn.q_proj.lora_A.weight} {@code [r, in]} then
     * {@code ...lora_B.weight} {@code [out, r]}. Live arrays owned by this object; they require gradients.
     *
     * @throws IllegalStateException after {@link #close()}
     */
    public Map<String, NDArray> parameters() {
        checkNotClosed();
        return parameters;
    }

    /** Turns dropout on ({@code true}, for training) or off ({@code false}, the initial mode, for evaluation). */
    public void training(boolean on) {
        checkNotClosed();
        training = on;
    }

    /** Whether dropout is on. */
    public boolean isTraining() {
        return training;
    }

    /** How many dropout masks were drawn so far (in training mode with a dropout above 0). */
    public long dropoutDraws() {
        return dropoutDraws.get();
    }

    /**
     * Makes the next dropout mask the one that draw number {@code draws} gives, e.g. the {@link #dropoutDraws()}
     * saved with a checkpoint, so that a resumed run draws the masks an uninterrupted one would.
     */
    public void seekDropout(long draws) {
        if (draws < 0) {
            throw new IllegalArgumentException("draws must be >= 0, got " + draws);
        }
        dropoutDraws.set(draws);
    }

    /** {@code x} with dropout applied in training mode; {@code x} itself otherwise. */
    NDArray dropout(NDArray x) {
        double p = config.dropout();
        if (!training || p == 0) {
            return x;
        }
        JniUtils.setSeed(maskSeed(config.seed(), dropoutDraws.getAndIncrement()));
        NDArray uniform = x.getManager().randomUniform(0f, 1f, x.getShape(), DataType.FLOAT32, x.getDevice());
        NDArray keep = uniform.gte((float) p).toType(DataType.FLOAT32, false).mul((float) (1.0 / (1.0 - p)));
        return x.mul(keep);
    }

    /** A well-mixed non-negative seed for mask {@code draw} (SplitMix64's finaliser). */
    static long maskSeed(long seed, long draw) {
        long z = seed + (draw + 1) * 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return (z ^ (z >>> 31)) & Long.MAX_VALUE;
    }

    /** Sets every adapter gradient to zero (gradients accumulate over backward passes until zeroed). */
    public void zeroGradients() {
        checkNotClosed();
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
     * Writes the adapter as PEFT does: {@value #WEIGHTS_FILE} (float32, PEFT's tensor names, metadata
     * {@code {"format": "pt"}}) and {@value #CONFIG_FILE} (every field of peft 0.21.0's {@code LoraConfig}, with
     * {@code task_type} {@code CAUSAL_LM} and {@code inference_mode} true). Each file is written to a temporary file
     * and renamed; other files in the folder are kept. Works attached or detached.
     *
     * @param folder created if absent
     * @throws CheckpointException naming the file when writing fails
     */
    public void savePeft(Path folder) {
        checkNotClosed();
        Objects.requireNonNull(folder, "folder");
        try {
            Files.createDirectories(folder);
        } catch (IOException e) {
            throw new CheckpointException(folder, null, "cannot be created: " + e, e);
        }
        Safetensors.write(folder.resolve(WEIGHTS_FILE), parameters, TensorDtype.F32, Map.of("format", "pt"));
        try {
            PeftAdapterConfig.write(config, folder.resolve(CONFIG_FILE));
        } catch (UncheckedIOException e) {
            throw new CheckpointException(folder.resolve(CONFIG_FILE), null, "cannot be written: " + e.getMessage(),
                    e);
        }
    }

    /**
     * Adds each adapter's update to its projection's weight in place ({@code W += (α/r)·B·A}, PEFT's
     * {@code merge_and_unload}) and detaches the adapters, so the model alone computes what the adapted model did.
     * The base parameters get their earlier {@code requiresGradient} setting back.
     *
     * @throws IllegalStateException when the adapters are not attached or the model is closed
     */
    public void mergeInto() {
        checkAttached();
        try (NDScope scope = new NDScope()) {
            for (LoraLinear adapter : adapters) {
                model.parameters().get(adapter.weightName).addi(adapter.weightDelta());
            }
        }
        detach();
    }

    /** {@link #saveMerged(Path, TensorDtype)} in float32. */
    public void saveMerged(Path folder) {
        saveMerged(folder, TensorDtype.F32);
    }

    /**
     * Saves the merged model ({@code W + (α/r)·B·A} for every adapted projection, the other parameters as they are)
     * as a Hugging Face folder, as {@link CausalLm#save} writes it, without changing the live model. Needs memory for
     * the merged copies of the adapted weights.
     *
     * @param floatStorage F32, BF16 or F16
     * @throws IllegalStateException when the adapters are not attached (after {@link #mergeInto()}, save the model
     *     itself with {@link CausalLm#save})
     * @throws CheckpointException naming the file when writing fails
     */
    public void saveMerged(Path folder, TensorDtype floatStorage) {
        checkAttached();
        Objects.requireNonNull(folder, "folder");
        Objects.requireNonNull(floatStorage, "floatStorage");
        String torchDtype = switch (floatStorage) {
            case F32 -> "float32";
            case BF16 -> "bfloat16";
            case F16 -> "float16";
            default -> throw new IllegalArgumentException("floatStorage must be F32, BF16 or F16, got "
                    + floatStorage);
        };
        try (NDScope scope = new NDScope()) {
            Map<String, NDArray> merged = new LinkedHashMap<>(model.parameters());
            for (LoraLinear adapter : adapters) {
                merged.put(adapter.weightName, merged.get(adapter.weightName).add(adapter.weightDelta()));
            }
            Checkpoint.writeTensors(folder, merged, floatStorage, Checkpoint.DEFAULT_MAX_SHARD_BYTES);
        }
        try {
            model.config().toBuilder().torchDtype(torchDtype).build().write(folder);
        } catch (UncheckedIOException e) {
            throw new CheckpointException(folder.resolve("config.json"), null, "cannot be written: "
                    + e.getMessage(), e);
        }
    }

    /**
     * Removes the adapters from the model (its output is the base model's again) and gives every base parameter its
     * earlier {@code requiresGradient} setting back. The adapter arrays stay readable ({@link #parameters()},
     * {@link #savePeft}) until {@link #close()}.
     *
     * @throws IllegalStateException when not attached
     */
    public void detach() {
        checkAttached();
        for (LoraLinear adapter : adapters) {
            if (model.adapter(adapter.weightName) == adapter) {
                model.setAdapter(adapter.weightName, null);
            }
        }
        model.parameters().forEach((name, p) -> {
            if (baseRequiredGradient.getOrDefault(name, true)) {
                p.setRequiresGradient(true);
            }
        });
        state = State.DETACHED;
    }

    /** Whether the adapters are installed on the model. */
    public boolean isAttached() {
        return state == State.ATTACHED && !model.isClosed();
    }

    private void checkAttached() {
        checkNotClosed();
        if (state != State.ATTACHED) {
            throw new IllegalStateException("the LoRA adapters are detached (after detach() or mergeInto())");
        }
        if (model.isClosed()) {
            throw new IllegalStateException("the model the LoRA adapters were attached to is closed");
        }
    }

    private void checkNotClosed() {
        if (state == State.CLOSED) {
            throw new IllegalStateException("these LoRA adapters are closed");
        }
    }

    /** Detaches (when attached to an open model) and frees the adapter arrays. Idempotent. */
    @Override
    public void close() {
        if (state == State.CLOSED) {
            return;
        }
        try {
            if (state == State.ATTACHED && !model.isClosed()) {
                detach();
            }
        } finally {
            state = State.CLOSED;
            manager.close();
        }
    }

    @Override
    public String toString() {
        return "LoraAdapters{" + config + ", " + adapters.size() + " projections, " + state
                + (training ? ", training" : "") + "}";
    }
}
