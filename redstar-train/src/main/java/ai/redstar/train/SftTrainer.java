package ai.redstar.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import ai.redstar.core.checkpoint.SafetensorsFile;
import ai.redstar.core.checkpoint.Safetensors;
import ai.redstar.core.checkpoint.TensorDtype;
import ai.redstar.core.checkpoint.TensorInfo;
import ai.redstar.core.image.ImageProcessor;
import ai.redstar.core.image.PreprocessorConfig;
import ai.redstar.core.model.CausalLm;
import ai.redstar.core.progress.Progress;
import ai.redstar.core.vision.VisionLm;
import ai.redstar.train.optim.AdamW;
import ai.redstar.train.optim.Gradients;
import ai.redstar.train.optim.LrSchedule;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Supervised fine-tuning of a {@link CausalLm} on chat records: next-token cross-entropy on the learned assistant
 * tokens, AdamW with decoupled weight decay, linear warmup then cosine decay, global-norm clipping, gradient
 * accumulation, packing, atomic checkpoints with exact resume, metrics and progress.
 *
 * <pre>{@code
 * try (CausalLm model = CausalLm.load(base, Device.cpu()); ChatTokenizer tokenizer = ChatTokenizer.load(base)) {
 *     SftData data = SftData.fromJsonl(Path.of("cot.jsonl"), tokenizer);
 *     SftResult result = SftTrainer.builder(model, data)
 *             .outputDir(Path.of("runs/sft")).maxLength(4096).learningRate(1e-5).epochs(3)
 *             .build().fit();
 * }
 * }</pre>
 *
 * <p><b>Loss.</b> For an optimiser step made of micro-batches {@code B₁…B_k} with {@code N} learned tokens in total,
 * {@code loss = −(1/N) Σ_{B} Σ_{t learned} log p(x_t | x_<t)}, computed in float32 as log-softmax then gather on the
 * hidden states of the learned positions only; each micro-batch's backward uses the same {@code 1/N}, so the
 * accumulated gradient is that of the whole step (accumulating 4 × 2 equals a batch of 8), not a mean of
 * micro-batch means. Packed records never attend each other (segment ids), so their losses are those they would have
 * alone.
 *
 * <p><b>Trainable parameters.</b> Only the arrays of {@link Builder#trainableParameters} (default: every parameter of
 * the model) are clipped, updated and zeroed and get optimiser state; nothing else is touched. For LoRA, pass the
 * adapters' arrays (PEFT names) and a saver that writes them ({@link Builder#checkpointSaver}); weight decay treats
 * them as weights (see {@link AdamW}).
 *
 * <p><b>Randomness.</b> Deterministic given the seed: data order per epoch comes from (seed, epoch); before every
 * step the engine's generator is reseeded from (seed, step), so dropout masks (LoRA) replay after a resume.
 *
 * <p><b>Checkpoints</b> (with an output folder): every {@code saveEvery} steps and at the end, {@code checkpoint-<step>/}
 * holds the model files of the saver, {@code optimizer.safetensors} (AdamW moments, float32) and
 * {@code trainer_state.json} (step, data cursor, totals, manifest), written to {@code checkpoint-<step>.tmp/} and
 * renamed; the newest {@code keepCheckpoints} are kept. {@link Builder#resumeFrom} continues exactly: N steps straight
 * give the losses of N/2, a kill, a resume and N/2 more (to float rounding, 1e-6 on CPU). The output folder also gets
 * {@code metrics.jsonl}, one line per step and per evaluation.
 *
 * <p><b>Divergence.</b> A NaN or infinite loss or gradient norm stops training with a
 * {@link TrainingDivergedException} naming the step, value and records; that update is not applied.
 *
 * <p><b>Vision-language models.</b> {@link #builder(VisionLm, PreprocessorConfig, SftData)} trains a
 * {@link VisionLm} on data with images ({@link SftData.Builder#images}): each micro-batch's image files are read and
 * preprocessed ({@link ImageProcessor}) into pixel values {@code [numImages, 3, H, W]} in the order of their image
 * token runs, and the forward pass goes through the vision tower and projector. Image tokens are never learned.
 * Packing stays on and is image-aware: records keep their own attention segments and their images follow the
 * records' order in the packed rows, which is the order the model fills image runs in. Records with images are never
 * truncated (see {@link TruncationPolicy}). The trainable parameters default to {@link VisionLm#trainableParameters()}
 * (so a frozen encoder stays frozen), and checkpoints are llava-hf folders ({@link ModelSaver#visionModel}).
 *
 * <p>A trainer runs once ({@link #fit()}); build another for another run. {@link #fit()} runs on the calling thread
 * and must not overlap other use of the model. Not thread-safe.
 */
public final class SftTrainer {
    private static final Logger LOG = LoggerFactory.getLogger(SftTrainer.class);
    static final String OPTIMIZER_FILE = "optimizer.safetensors";
    static final String METRICS_FILE = "metrics.jsonl";

    private final Builder settings;
    private boolean ran;

    private SftTrainer(Builder settings) {
        this.settings = settings;
    }

    /**
     * A builder for training {@code model} on {@code data}.
     *
     * @param model the model; its parameters are updated in place
     * @param data the training records
     */
    public static Builder builder(CausalLm model, SftData data) {
        return new Builder(model, null, null, data);
    }

    /**
     * A builder for training a vision-language model on {@code data} (records with or without images).
     *
     * @param model the model; its trainable parameters are updated in place
     * @param preprocessor how its images are preprocessed (the model folder's {@code preprocessor_config.json}, see
     *     {@link PreprocessorConfig#read}); its output size must be the encoder's image size. Written into checkpoints
     * @param data the training records
     */
    public static Builder builder(VisionLm model, PreprocessorConfig preprocessor, SftData data) {
        Objects.requireNonNull(model, "model");
        return new Builder(model.decoder(), model, Objects.requireNonNull(preprocessor, "preprocessor"), data);
    }

    /** The complete checkpoint with the highest step in an output folder, e.g. to resume from. */
    public static Optional<Path> latestCheckpoint(Path outputDir) {
        return CheckpointStore.latest(Objects.requireNonNull(outputDir, "outputDir"));
    }

    /**
     * Trains to the end of the budget.
     *
     * @return what the run did
     * @throws TrainingDivergedException when the loss or gradient norm is NaN or infinite
     * @throws IllegalStateException when called twice, when no record is left to train, or when the checkpoint to
     *     resume from was written by a different run
     */
    public SftResult fit() {
        if (ran) {
            throw new IllegalStateException("fit() was already called on this trainer; build a new one");
        }
        ran = true;
        Builder s = settings;
        long started = System.nanoTime();
        if (s.outputDir != null) {
            CheckpointStore.removeLeftovers(s.outputDir);
        }
        BatchPlanner planner = new BatchPlanner(s.data, s.maxLength, s.truncation, s.batching, s.batchTokens,
                s.gradientAccumulation, s.seed);
        reportAdmission(planner);
        long totalSteps = totalSteps(planner);
        long warmup = s.warmupSteps != null ? s.warmupSteps : (long) Math.ceil(0.03 * totalSteps);
        if (warmup > totalSteps) {
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                    "warmupSteps %d exceeds the %d steps of the run", warmup, totalSteps));
        }
        LrSchedule schedule = new LrSchedule(s.learningRate, s.minLearningRate, warmup, totalSteps);
        BatchPlanner evalPlanner = s.evalData == null ? null : new BatchPlanner(s.evalData, s.maxLength,
                s.truncation, s.batching, s.batchTokens, 1, s.seed);
        Map<String, NDArray> trainable = s.trainable;
        AdamW.Builder adamBuilder = AdamW.builder(trainable).betas(s.beta1, s.beta2).epsilon(s.epsilon)
                .weightDecay(s.weightDecay);
        JsonObject manifest = manifest(totalSteps, warmup);
        try (AdamW adamW = adamBuilder.build();
                NDManager inputs = NDManager.newBaseManager(s.model.device())) {
            TrainerState state = TrainerState.start(manifest);
            Path lastCheckpoint = null;
            if (s.resumeFrom != null) {
                state = resume(s.resumeFrom, manifest, trainable, adamW);
                lastCheckpoint = s.resumeFrom;
            }
            double elapsedBefore = state.elapsedSeconds();
            s.trainingMode.accept(true);
            try (MetricsLog metrics = s.outputDir == null ? null
                            : MetricsLog.open(s.outputDir.resolve(METRICS_FILE), state.step(), s.resumeFrom != null);
                    Progress progress = s.progressMode == null ? Progress.start("sft", totalSteps)
                    : Progress.start("sft", totalSteps, s.progressMode)) {
                progress.stepTo(state.step());
                while (state.step() < totalSteps) {
                    long stepStart = System.nanoTime();
                    long step = state.step() + 1;
                    List<MicroBatch> microBatches = planner.step(state.epoch(), state.stepInEpoch());
                    Engine.getInstance().setRandomSeed(engineSeed(s.seed, step));
                    StepLoss loss = forwardBackward(microBatches, inputs);
                    double learningRate = schedule.learningRate(step);
                    checkFinite("loss", loss.mean(), step, microBatches, learningRate, lastCheckpoint, trainable);
                    double gradientNorm = Gradients.clipGlobalNorm(trainable, s.maxGradientNorm);
                    checkFinite("gradient norm", gradientNorm, step, microBatches, learningRate, lastCheckpoint,
                            trainable);
                    adamW.step(learningRate);
                    Gradients.zero(trainable);

                    int epoch = state.epoch();
                    int next = state.stepInEpoch() + 1;
                    int inEpoch = planner.stepsInEpoch(epoch);
                    double fractionalEpoch = epoch + (double) next / inEpoch;
                    if (next == inEpoch) {
                        epoch++;
                        next = 0;
                    }
                    double seconds = (System.nanoTime() - stepStart) / 1e9;
                    double elapsed = elapsedBefore + (System.nanoTime() - started) / 1e9;
                    state = new TrainerState(step, epoch, next, state.tokens() + loss.tokens(),
                            state.lossTokens() + loss.lossTokens(), elapsed, loss.mean(), adamW.steps(), manifest);
                    StepMetrics m = new StepMetrics(step, fractionalEpoch, loss.mean(), learningRate, gradientNorm,
                            loss.tokens(), loss.lossTokens(), loss.tokens() / seconds, elapsed);
                    if (metrics != null) {
                        metrics.step(m);
                    }
                    progress.status(String.format(Locale.ROOT, "loss %.4f lr %.2e tok/s %.0f", m.loss(),
                            m.learningRate(), m.tokensPerSecond()));
                    progress.stepTo(step);
                    s.onStep.accept(m);

                    if (s.evalEvery > 0 && (step % s.evalEvery == 0 || step == totalSteps)) {
                        evaluate(step, evalPlanner, inputs, metrics);
                    }
                    if (s.outputDir != null && (step % s.saveEvery == 0 || step == totalSteps)) {
                        lastCheckpoint = saveCheckpoint(state, adamW);
                    }
                }
            } finally {
                s.trainingMode.accept(false);
            }
            double elapsed = state.step() == 0 ? 0 : state.elapsedSeconds();
            return new SftResult(state.lastLoss(), state.step(), state.tokens(), state.lossTokens(),
                    Duration.ofNanos((long) (elapsed * 1e9)), Optional.ofNullable(lastCheckpoint),
                    planner.truncated(), planner.droppedTooLong() + planner.droppedWithoutTargets());
        }
    }

    /** Losses of one optimiser step: summed over micro-batches, divided by the step's learned tokens. */
    private record StepLoss(double mean, long tokens, long lossTokens) {}

    /**
     * Forward and backward over the micro-batches of one step; the gradients of the trainable parameters end up
     * holding {@code ∇ (1/N) Σ nll}.
     */
    private StepLoss forwardBackward(List<MicroBatch> microBatches, NDManager inputs) {
        List<MicroBatch.Collated> collated = collate(microBatches);
        long lossTokens = 0;
        long tokens = 0;
        for (MicroBatch.Collated c : collated) {
            lossTokens += c.lossTokens();
            tokens += c.tokens();
        }
        double sum = 0;
        for (MicroBatch.Collated c : collated) {
            try (NDScope scope = new NDScope();
                    GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                NDArray nll = negativeLogLikelihood(c, inputs);
                // 1/N as a tensor libtorch owns, alive until backward: DJL's div(Number) would wrap a Java buffer the
                // garbage collector may free before backward reads it (see CausalLm#rmsNorm).
                NDArray perToken = inputs.full(new Shape(), (float) (1.0 / lossTokens), DataType.FLOAT32);
                collector.backward(nll.mul(perToken));
                sum += nll.getFloat();
            }
        }
        return new StepLoss(sum / lossTokens, tokens, lossTokens);
    }

    private List<MicroBatch.Collated> collate(List<MicroBatch> microBatches) {
        List<MicroBatch.Collated> out = new ArrayList<>(microBatches.size());
        for (MicroBatch mb : microBatches) {
            out.add(mb.collate(settings.data.examples(mb.records()), settings.maxLength));
        }
        return out;
    }

    /**
     * The summed negative log-likelihood of a micro-batch's targets (a scalar in the current scope): hidden states of
     * the whole batch, then the head, log-softmax and gather on the learned positions only.
     */
    private NDArray negativeLogLikelihood(MicroBatch.Collated c, NDManager inputs) {
        CausalLm model = settings.model;
        Shape shape = new Shape(c.rows(), c.width());
        NDArray ids = inputs.create(c.ids(), shape);
        NDArray positions = inputs.create(c.positions(), shape);
        NDArray segments = inputs.create(c.segments(), shape);
        NDArray where = inputs.create(c.lossPositions());
        NDArray targets = inputs.create(c.targets(), new Shape(1, c.lossTokens(), 1));
        NDArray hidden;
        if (settings.vision != null) {
            NDArray pixels = c.images().isEmpty() ? null : settings.imageProcessor.toNDArray(c.images(), inputs);
            hidden = settings.vision.hiddenStates(ids, positions, segments, pixels, null);
        } else {
            hidden = model.hiddenStates(ids, positions, segments, null);
        }
        long width = hidden.getShape().get(2);
        NDArray learned = hidden.reshape(-1, width).get(new NDIndex("{}", where)).reshape(1, c.lossTokens(), width);
        NDArray logits = model.logits(learned);
        return logits.logSoftmax(2).gather(targets, 2).sum().neg();
    }

    /** Held-out loss (and the callback's metrics), without gradients and with the training mode off. */
    private void evaluate(long step, BatchPlanner evalPlanner, NDManager inputs, MetricsLog metrics) {
        Builder s = settings;
        s.trainingMode.accept(false);
        boolean gradMode = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        try {
            JsonObject line = new JsonObject();
            line.addProperty("step", step);
            if (evalPlanner != null) {
                double sum = 0;
                long lossTokens = 0;
                for (MicroBatch mb : evalPlanner.epoch(0)) {
                    MicroBatch.Collated c = mb.collate(s.evalData.examples(mb.records()), s.maxLength);
                    try (NDScope scope = new NDScope()) {
                        sum += negativeLogLikelihood(c, inputs).getFloat();
                    }
                    lossTokens += c.lossTokens();
                }
                double loss = sum / lossTokens;
                line.addProperty("eval_loss", loss);
                line.addProperty("eval_loss_tokens", lossTokens);
                LOG.info("step {}: held-out loss {} over {} tokens", step, String.format(Locale.ROOT, "%.4f", loss),
                        lossTokens);
            }
            if (s.evalCallback != null) {
                Map<String, Double> values = s.evalCallback.evaluate(s.model, step);
                for (Map.Entry<String, Double> e : new java.util.TreeMap<>(values).entrySet()) {
                    line.addProperty("eval_" + e.getKey(), e.getValue());
                }
                LOG.info("step {}: {}", step, values);
            }
            if (metrics != null) {
                metrics.write(line);
            }
        } finally {
            JniUtils.setGradMode(gradMode);
            s.trainingMode.accept(true);
        }
    }

    private Path saveCheckpoint(TrainerState state, AdamW adamW) {
        Builder s = settings;
        return CheckpointStore.save(s.outputDir, state.step(), folder -> {
            s.saver.save(folder);
            Safetensors.write(folder.resolve(OPTIMIZER_FILE), adamW.state(), TensorDtype.F32, Map.of("format", "pt"));
            state.write(folder);
        }, s.keepCheckpoints);
    }

    /** Reads a checkpoint back: checks the manifest, then copies trainable values and optimiser moments in. */
    private TrainerState resume(Path checkpoint, JsonObject manifest, Map<String, NDArray> trainable, AdamW adamW) {
        TrainerState saved = TrainerState.read(checkpoint);
        TrainerState.checkSameRun(checkpoint, saved.manifest(), manifest);
        restoreTrainable(checkpoint, trainable);
        Path optimizer = checkpoint.resolve(OPTIMIZER_FILE);
        try (NDManager scratch = NDManager.newBaseManager(settings.model.device());
                SafetensorsFile file = SafetensorsFile.open(optimizer)) {
            Map<String, NDArray> moments = new LinkedHashMap<>();
            for (String name : file.tensors().keySet()) {
                moments.put(name, file.read(name, scratch));
            }
            adamW.restore(saved.optimizerSteps(), moments);
        }
        settings.saver.restore(checkpoint);
        LOG.info("resumed from {} at step {} (epoch {}, step {} of it)", checkpoint, saved.step(), saved.epoch(),
                saved.stepInEpoch());
        return saved;
    }

    /** Copies every trainable parameter from the checkpoint's safetensors files (other than the optimiser's). */
    private static void restoreTrainable(Path checkpoint, Map<String, NDArray> trainable) {
        List<Path> files;
        try (Stream<Path> entries = Files.list(checkpoint)) {
            files = entries.filter(p -> p.getFileName().toString().endsWith(".safetensors"))
                    .filter(p -> !p.getFileName().toString().equals(OPTIMIZER_FILE)).sorted()
                    .collect(Collectors.toList());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list checkpoint " + checkpoint + ": " + e.getMessage(), e);
        }
        Set<String> missing = new java.util.TreeSet<>(trainable.keySet());
        boolean gradMode = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        try {
            for (Path f : files) {
                try (SafetensorsFile file = SafetensorsFile.open(f)) {
                    for (TensorInfo info : file.tensors().values()) {
                        NDArray target = trainable.get(info.name());
                        if (target == null || !missing.contains(info.name())) {
                            continue;
                        }
                        if (info.dtype() != TensorDtype.F32 || !info.shape().equals(target.getShape())) {
                            throw new IllegalStateException(String.format(Locale.ROOT,
                                    "cannot resume from %s: tensor '%s' in %s is %s %s, expected F32 %s (the saver"
                                            + " must write trainable parameters in float32)", checkpoint, info.name(),
                                    f.getFileName(), info.dtype().safetensorsName(), info.shape(), target.getShape()));
                        }
                        try (NDScope scope = new NDScope()) {
                            NDArray value = file.read(info.name(), target.getManager());
                            target.set(value.toByteBuffer());
                        }
                        missing.remove(info.name());
                    }
                }
            }
        } finally {
            JniUtils.setGradMode(gradMode);
        }
        if (!missing.isEmpty()) {
            throw new IllegalStateException("cannot resume from " + checkpoint + ": its safetensors files lack "
                    + missing.size() + " trainable parameter(s), e.g. '" + missing.iterator().next()
                    + "'; the checkpoint saver must write every trainable parameter under its trainable name");
        }
    }

    private void checkFinite(String what, double value, long step, List<MicroBatch> microBatches,
            double learningRate, Path lastCheckpoint, Map<String, NDArray> trainable) {
        if (Double.isFinite(value)) {
            return;
        }
        List<String> nonFinite = what.equals("loss") ? List.of() : Gradients.nonFinite(trainable);
        Gradients.zero(trainable);
        List<String> records = new ArrayList<>();
        for (MicroBatch mb : microBatches) {
            for (int r : mb.records()) {
                if (records.size() < 8) {
                    records.add(settings.data.describe(r));
                }
            }
        }
        throw new TrainingDivergedException(String.format(Locale.ROOT,
                "step %d: the %s is %s%s; the update was not applied. The step trained on %s%s. Lower the learning"
                        + " rate (it was %.3g; peak %.3g), lengthen the warmup, keep gradient clipping on (max norm"
                        + " %s) and check those records; %s", step, what, value,
                nonFinite.isEmpty() ? "" : " (non-finite gradients in " + String.join(", ", nonFinite) + ")",
                String.join(", ", records),
                records.size() == 8 ? " and more" : "", learningRate, settings.learningRate,
                settings.maxGradientNorm,
                lastCheckpoint == null ? "no checkpoint was written yet"
                        : "resume from " + lastCheckpoint + " after changing the data (a changed learning rate needs"
                                + " a new run from its model files)"), step, value);
    }

    private long totalSteps(BatchPlanner planner) {
        if (settings.maxSteps != null) {
            return settings.maxSteps;
        }
        long total = 0;
        for (int e = 0; e < settings.epochs; e++) {
            total += planner.stepsInEpoch(e);
        }
        return total;
    }

    private void reportAdmission(BatchPlanner planner) {
        Builder s = settings;
        if (planner.keptRecords() == 0) {
            throw new IllegalStateException(String.format(Locale.ROOT,
                    "no record is left to train on: of %d records %d are longer than maxLength %d (policy DROP) and"
                            + " %d have no learned token within it; raise maxLength or use TruncationPolicy.TRUNCATE",
                    s.data.size(), planner.droppedTooLong(), s.maxLength, planner.droppedWithoutTargets()));
        }
        if (planner.truncated() > 0 || planner.droppedTooLong() > 0 || planner.droppedWithoutTargets() > 0) {
            LOG.warn("of {} records: {} truncated to {} tokens, {} dropped as longer, {} dropped without a learned"
                    + " token within the maximum length", s.data.size(), planner.truncated(), s.maxLength,
                    planner.droppedTooLong(), planner.droppedWithoutTargets());
        }
    }

    /** Everything that determines the numbers of a run; a resume must match it exactly. */
    private JsonObject manifest(long totalSteps, long warmup) {
        Builder s = settings;
        JsonObject m = new JsonObject();
        m.addProperty("redstar_version", redstarVersion());
        m.addProperty("djl_version", Engine.getDjlVersion());
        m.addProperty("engine", Engine.getInstance().getEngineName() + " " + Engine.getInstance().getVersion());
        m.addProperty("device", s.model.device().toString());
        JsonObject config = JsonParser.parseString(s.vision != null ? s.vision.config().toJson()
                : s.model.config().toJson()).getAsJsonObject();
        config.remove("torch_dtype");
        m.add("model_config", config);
        if (s.preprocessor != null) {
            m.add("preprocessor_config", s.preprocessor.toJsonObject());
        }
        JsonObject shapes = new JsonObject();
        JsonArray noDecay = new JsonArray();
        for (Map.Entry<String, NDArray> e : s.trainable.entrySet()) {
            JsonArray dims = new JsonArray();
            for (long d : e.getValue().getShape().getShape()) {
                dims.add(d);
            }
            shapes.add(e.getKey(), dims);
            if (!AdamW.decaysByDefault(e.getKey())) {
                noDecay.add(e.getKey());
            }
        }
        m.add("trainable_parameters", shapes);
        m.add("no_weight_decay", noDecay);
        m.addProperty("data_fingerprint", s.data.fingerprint());
        m.addProperty("seed", s.seed);
        m.addProperty("max_length", s.maxLength);
        m.addProperty("truncation", s.truncation.name());
        m.addProperty("batching", s.batching.name());
        m.addProperty("batch_tokens", s.batchTokens);
        m.addProperty("gradient_accumulation", s.gradientAccumulation);
        m.addProperty("budget", s.maxSteps != null ? "max_steps=" + s.maxSteps : "epochs=" + s.epochs);
        m.addProperty("total_steps", totalSteps);
        m.addProperty("learning_rate", s.learningRate);
        m.addProperty("min_learning_rate", s.minLearningRate);
        m.addProperty("warmup_steps", warmup);
        m.addProperty("weight_decay", s.weightDecay);
        m.addProperty("adam_beta1", s.beta1);
        m.addProperty("adam_beta2", s.beta2);
        m.addProperty("adam_epsilon", s.epsilon);
        m.addProperty("max_gradient_norm", String.valueOf(s.maxGradientNorm));
        return m;
    }

    /** The version of this module from its jar's Maven properties, or "unpackaged" when run from classes. */
    static String redstarVersion() {
        try (java.io.InputStream in = SftTrainer.class.getResourceAsStream(
                "/META-INF/maven/ai.redstar/redstar-train/pom.properties")) {
            if (in == null) {
                return "unpackaged";
            }
            java.util.Properties properties = new java.util.Properties();
            properties.load(in);
            return properties.getProperty("version", "unknown");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the version of redstar-train: " + e.getMessage(), e);
        }
    }

    /** The engine seed of a step: a mix of the run's seed and the step (SplittableRandom's finaliser). */
    static int engineSeed(long seed, long step) {
        long z = seed + step * 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        z = z ^ (z >>> 31);
        return (int) (z & 0x7FFFFFFF);
    }

    /**
     * Configures an {@link SftTrainer}. Each property may be set once ({@link IllegalStateException} on the second
     * call); {@link #build()} checks everything and reports every problem at once. Defaults follow TRL's
     * {@code SFTConfig} / {@code transformers}' {@code TrainingArguments} unless stated.
     */
    public static final class Builder {
        private final CausalLm model;
        private final VisionLm vision;
        private final PreprocessorConfig preprocessor;
        private ImageProcessor imageProcessor;
        private final SftData data;
        private final Set<String> set = new HashSet<>();
        private boolean built;
        private Map<String, NDArray> trainable;
        private Path outputDir;
        private int maxLength = 1024;
        private TruncationPolicy truncation = TruncationPolicy.TRUNCATE;
        private Batching batching = Batching.PACKED;
        private Integer batchTokensSetting;
        private int batchTokens;
        private int gradientAccumulation = 1;
        private Integer epochs;
        private Long maxSteps;
        private double learningRate = 2e-5;
        private double minLearningRate = 0;
        private Long warmupSteps;
        private double weightDecay = 0;
        private double beta1 = 0.9;
        private double beta2 = 0.999;
        private double epsilon = 1e-8;
        private double maxGradientNorm = 1.0;
        private long seed = 42;
        private long saveEvery = 500;
        private int keepCheckpoints = 2;
        private Path resumeFrom;
        private ModelSaver saver;
        private Consumer<Boolean> trainingMode = training -> { };
        private SftData evalData;
        private EvalCallback evalCallback;
        private long evalEvery;
        private Progress.Mode progressMode;
        private Consumer<StepMetrics> onStep = m -> { };

        private Builder(CausalLm model, VisionLm vision, PreprocessorConfig preprocessor, SftData data) {
            this.model = Objects.requireNonNull(model, "model");
            this.vision = vision;
            this.preprocessor = preprocessor;
            this.data = Objects.requireNonNull(data, "data");
        }

        /**
         * The parameters to train, by name (default: all of {@code model.parameters()}; for a {@link VisionLm}
         * {@link VisionLm#trainableParameters()}, without a frozen encoder). Only these are clipped,
         * updated, zeroed and given optimiser state; each must require gradients and be float32. For LoRA, the
         * adapters' arrays under PEFT names.
         */
        public Builder trainableParameters(Map<String, NDArray> parameters) {
            once("trainableParameters");
            this.trainable = Collections.unmodifiableMap(new LinkedHashMap<>(
                    Objects.requireNonNull(parameters, "parameters")));
            return this;
        }

        /**
         * Where checkpoints and {@code metrics.jsonl} go (default: none, nothing is written). A fresh run refuses a
         * folder that already holds checkpoints.
         */
        public Builder outputDir(Path outputDir) {
            once("outputDir");
            this.outputDir = Objects.requireNonNull(outputDir, "outputDir");
            return this;
        }

        /** The longest record in tokens, and the row length under packing (default 1024, as TRL). */
        public Builder maxLength(int maxLength) {
            once("maxLength");
            this.maxLength = maxLength;
            return this;
        }

        /** What happens to longer records (default {@link TruncationPolicy#TRUNCATE}, as TRL). */
        public Builder truncation(TruncationPolicy truncation) {
            once("truncation");
            this.truncation = Objects.requireNonNull(truncation, "truncation");
            return this;
        }

        /**
         * Packing or padding (default {@link Batching#PACKED}: exact, as records never attend each other, and the
         * fastest; TRL defaults to padding because its packing may let records attend each other).
         */
        public Builder batching(Batching batching) {
            once("batching");
            this.batching = Objects.requireNonNull(batching, "batching");
            return this;
        }

        /**
         * Tokens per micro-batch, padding included (default {@code 8 × maxLength}, TRL's 8 rows); under packing at
         * least {@code maxLength}.
         */
        public Builder batchTokens(int batchTokens) {
            once("batchTokens");
            this.batchTokensSetting = batchTokens;
            return this;
        }

        /** Micro-batches per optimiser step (default 1). */
        public Builder gradientAccumulation(int steps) {
            once("gradientAccumulation");
            this.gradientAccumulation = steps;
            return this;
        }

        /** Passes over the data (default 3, as TRL); not together with {@link #maxSteps}. */
        public Builder epochs(int epochs) {
            once("epochs");
            this.epochs = epochs;
            return this;
        }

        /** A budget of optimiser steps, cycling through the data as needed; not together with {@link #epochs}. */
        public Builder maxSteps(long maxSteps) {
            once("maxSteps");
            this.maxSteps = maxSteps;
            return this;
        }

        /** Peak learning rate (default 2e-5, as TRL). */
        public Builder learningRate(double learningRate) {
            once("learningRate");
            this.learningRate = learningRate;
            return this;
        }

        /** The floor the cosine decays to (default 0, as {@code transformers}' cosine schedule). */
        public Builder minLearningRate(double minLearningRate) {
            once("minLearningRate");
            this.minLearningRate = minLearningRate;
            return this;
        }

        /** Steps of linear warmup (default 3% of the run's steps, rounded up: the common warmup_ratio 0.03). */
        public Builder warmupSteps(long warmupSteps) {
            once("warmupSteps");
            this.warmupSteps = warmupSteps;
            return this;
        }

        /** Decoupled weight decay, not applied to biases and norms (default 0, as {@code transformers}). */
        public Builder weightDecay(double weightDecay) {
            once("weightDecay");
            this.weightDecay = weightDecay;
            return this;
        }

        /** AdamW's {@code β₁, β₂} (default 0.9, 0.999). */
        public Builder adamBetas(double beta1, double beta2) {
            once("adamBetas");
            this.beta1 = beta1;
            this.beta2 = beta2;
            return this;
        }

        /** AdamW's {@code ε} (default 1e-8). */
        public Builder adamEpsilon(double epsilon) {
            once("adamEpsilon");
            this.epsilon = epsilon;
            return this;
        }

        /**
         * The global gradient norm clipped to (default 1.0, as {@code transformers});
         * {@link Double#POSITIVE_INFINITY} never clips.
         */
        public Builder maxGradientNorm(double maxGradientNorm) {
            once("maxGradientNorm");
            this.maxGradientNorm = maxGradientNorm;
            return this;
        }

        /** The seed of data order and of the engine's generator (default 42, as {@code transformers}). */
        public Builder seed(long seed) {
            once("seed");
            this.seed = seed;
            return this;
        }

        /** Steps between checkpoints (default 500, as {@code transformers}); a checkpoint is also written at the end. */
        public Builder saveEvery(long steps) {
            once("saveEvery");
            this.saveEvery = steps;
            return this;
        }

        /**
         * Checkpoints kept, the newest (default 2: each holds the trainable weights and twice as much optimiser
         * state, so keeping all fills disks).
         */
        public Builder keepCheckpoints(int keep) {
            once("keepCheckpoints");
            this.keepCheckpoints = keep;
            return this;
        }

        /**
         * Continues the run that wrote this checkpoint: restores trainable values, optimiser moments, step and data
         * cursor. The model given to the builder must be the run's starting model (the trainable values are
         * overwritten); model, data, settings, seed and library versions must match the checkpoint's manifest.
         */
        public Builder resumeFrom(Path checkpoint) {
            once("resumeFrom");
            this.resumeFrom = Objects.requireNonNull(checkpoint, "checkpoint");
            return this;
        }

        /** Writes the model part of checkpoints (default {@link ModelSaver#fullModel}); see its contract. */
        public Builder checkpointSaver(ModelSaver saver) {
            once("checkpointSaver");
            this.saver = Objects.requireNonNull(saver, "saver");
            return this;
        }

        /**
         * Called with {@code true} when training starts or resumes after an evaluation and with {@code false} before
         * an evaluation and when {@link #fit()} returns or fails, e.g. to switch LoRA dropout on and off (default:
         * nothing).
         */
        public Builder trainingMode(Consumer<Boolean> hook) {
            once("trainingMode");
            this.trainingMode = Objects.requireNonNull(hook, "hook");
            return this;
        }

        /** Held-out records whose loss is computed every {@link #evalEvery} steps (default: none). */
        public Builder evalData(SftData heldOut) {
            once("evalData");
            this.evalData = Objects.requireNonNull(heldOut, "heldOut");
            return this;
        }

        /** Task metrics computed every {@link #evalEvery} steps (default: none). */
        public Builder evalCallback(EvalCallback callback) {
            once("evalCallback");
            this.evalCallback = Objects.requireNonNull(callback, "callback");
            return this;
        }

        /** Steps between evaluations (and one at the end); needs {@link #evalData} or {@link #evalCallback}. */
        public Builder evalEvery(long steps) {
            once("evalEvery");
            this.evalEvery = steps;
            return this;
        }

        /** Progress display (default: the {@code redstar.progress} system property, a bar on a terminal). */
        public Builder progress(Progress.Mode mode) {
            once("progress");
            this.progressMode = Objects.requireNonNull(mode, "mode");
            return this;
        }

        /** Called after every optimiser step on the training thread (default: nothing). */
        public Builder onStep(Consumer<StepMetrics> listener) {
            once("onStep");
            this.onStep = Objects.requireNonNull(listener, "listener");
            return this;
        }

        /**
         * The trainer.
         *
         * @throws IllegalArgumentException listing every invalid setting
         */
        public SftTrainer build() {
            if (built) {
                throw new IllegalStateException("build() was already called; use a new builder for another trainer");
            }
            List<String> problems = new ArrayList<>();
            if (trainable == null) {
                trainable = vision != null ? vision.trainableParameters() : model.parameters();
            }
            if (vision == null) {
                for (SftData d : evalData == null ? List.of(data) : List.of(data, evalData)) {
                    if (d.imageRecords() > 0) {
                        problems.add(d.imageRecords() + " record(s) of " + d + " have images; train a vision-language"
                                + " model with SftTrainer.builder(VisionLm, PreprocessorConfig, SftData)");
                    }
                }
            } else {
                if (vision.config().imageTokenIndex() == 0) {
                    problems.add("the model's image_token_index is 0, the id padding uses; give the image token"
                            + " another id");
                }
                int size = vision.config().visionConfig().imageSize();
                if (!preprocessor.hasFixedOutputSize() || preprocessor.fixedOutputSize()[0] != size
                        || preprocessor.fixedOutputSize()[1] != size) {
                    problems.add("the preprocessor (" + preprocessor + ") does not give " + size + "x" + size
                            + " images, the vision encoder's image_size; set its size and crop to " + size);
                }
            }
            if (trainable.isEmpty()) {
                problems.add("trainableParameters is empty");
            }
            trainable.forEach((name, p) -> {
                if (p == null) {
                    problems.add("trainable parameter '" + name + "' is null");
                } else if (!p.hasGradient()) {
                    problems.add("trainable parameter '" + name + "' does not require gradients");
                }
            });
            if (maxLength < 2) {
                problems.add("maxLength must be at least 2 (one token predicts the next), got " + maxLength);
            }
            batchTokens = batchTokensSetting != null ? batchTokensSetting : (int) Math.min(Integer.MAX_VALUE,
                    8L * maxLength);
            if (batchTokens < 1) {
                problems.add("batchTokens must be positive, got " + batchTokens);
            } else if (batching == Batching.PACKED && batchTokens < maxLength) {
                problems.add(String.format(Locale.ROOT, "batchTokens %d is below maxLength %d: a packed row of"
                        + " maxLength tokens must fit a micro-batch", batchTokens, maxLength));
            }
            if (gradientAccumulation < 1) {
                problems.add("gradientAccumulation must be at least 1, got " + gradientAccumulation);
            }
            if (epochs != null && maxSteps != null) {
                problems.add("set epochs or maxSteps, not both");
            }
            if (maxSteps == null && epochs == null) {
                epochs = 3;
            }
            if (epochs != null && epochs < 1) {
                problems.add("epochs must be at least 1, got " + epochs);
            }
            if (maxSteps != null && maxSteps < 1) {
                problems.add("maxSteps must be at least 1, got " + maxSteps);
            }
            if (!(learningRate > 0) || !Double.isFinite(learningRate)) {
                problems.add("learningRate must be positive and finite, got " + learningRate);
            }
            if (!(minLearningRate >= 0) || minLearningRate > learningRate) {
                problems.add("minLearningRate must be in [0, learningRate], got " + minLearningRate);
            }
            if (warmupSteps != null && warmupSteps < 0) {
                problems.add("warmupSteps must be >= 0, got " + warmupSteps);
            }
            if (!(weightDecay >= 0) || !Double.isFinite(weightDecay)) {
                problems.add("weightDecay must be finite and >= 0, got " + weightDecay);
            }
            if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1)) {
                problems.add("adamBetas must be in [0, 1), got " + beta1 + ", " + beta2);
            }
            if (!(epsilon > 0) || !Double.isFinite(epsilon)) {
                problems.add("adamEpsilon must be positive and finite, got " + epsilon);
            }
            if (!(maxGradientNorm > 0)) {
                problems.add("maxGradientNorm must be positive (infinity never clips), got " + maxGradientNorm);
            }
            if (saveEvery < 1) {
                problems.add("saveEvery must be at least 1, got " + saveEvery);
            }
            if (keepCheckpoints < 1) {
                problems.add("keepCheckpoints must be at least 1, got " + keepCheckpoints);
            }
            if (evalEvery < 0) {
                problems.add("evalEvery must be >= 0, got " + evalEvery);
            }
            if (evalEvery > 0 && evalData == null && evalCallback == null) {
                problems.add("evalEvery is set but there is nothing to evaluate: set evalData or evalCallback");
            }
            if (evalEvery == 0 && (evalData != null || evalCallback != null)) {
                problems.add("evalData or evalCallback is set but evalEvery is not; set evalEvery(steps)");
            }
            if (resumeFrom != null && outputDir == null) {
                problems.add("resumeFrom needs outputDir (the run continues writing there)");
            }
            if (resumeFrom != null && !Files.isRegularFile(resumeFrom.resolve(TrainerState.FILE))) {
                problems.add("resumeFrom " + resumeFrom + " is not a checkpoint (it has no " + TrainerState.FILE
                        + ")");
            }
            if (outputDir != null && resumeFrom == null && !CheckpointStore.complete(outputDir).isEmpty()) {
                problems.add("outputDir " + outputDir + " already holds checkpoints (latest "
                        + CheckpointStore.latest(outputDir).orElseThrow().getFileName()
                        + "); resume with resumeFrom(SftTrainer.latestCheckpoint(dir)) or use another folder");
            }
            if (!problems.isEmpty()) {
                throw new IllegalArgumentException("invalid SftTrainer settings: " + String.join("; ", problems));
            }
            if (saver == null) {
                saver = vision != null ? ModelSaver.visionModel(vision, preprocessor,
                        data.tokenizerFolder().orElse(null)) : ModelSaver.fullModel(model);
            }
            if (vision != null) {
                imageProcessor = ImageProcessor.of(preprocessor);
            }
            built = true;
            return new SftTrainer(this);
        }

        private void once(String property) {
            if (built) {
                throw new IllegalStateException("this builder has built its SftTrainer; settings cannot change");
            }
            if (!set.add(property)) {
                throw new IllegalStateException("SftTrainer property '" + property + "' was already set");
            }
        }
    }
}
