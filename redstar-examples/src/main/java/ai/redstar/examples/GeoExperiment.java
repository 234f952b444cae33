package ai.redstar.examples;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.redstar.core.generate.GenerationRequest;
import ai.redstar.core.generate.GenerationResult;
import ai.redstar.core.generate.Generator;
import ai.redstar.core.generate.SamplingParams;
import ai.redstar.core.image.ImageProcessor;
import ai.redstar.core.image.PreprocessorConfig;
import ai.redstar.core.model.ModelConfig;
import ai.redstar.core.model.ModelType;
import ai.redstar.core.progress.Progress;
import ai.redstar.core.tokenizer.ChatMessage;
import ai.redstar.core.tokenizer.ChatTokenizer;
import ai.redstar.core.tokenizer.TokenizerFiles;
import ai.redstar.core.vision.VisionEncoderConfig;
import ai.redstar.core.vision.VisionEncoderType;
import ai.redstar.core.vision.VisionLm;
import ai.redstar.core.vision.VisionLmConfig;
import ai.redstar.data.geo.GeoDatasets;
import ai.redstar.data.geo.GeoKind;
import ai.redstar.data.geo.GeoProblem;
import ai.redstar.data.geo.GeoTask;
import ai.redstar.data.geo.TraceStyle;
import ai.redstar.train.SftData;
import ai.redstar.train.SftResult;
import ai.redstar.train.SftTrainer;
import ai.redstar.verify.RuleVerifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * The RedStar-Geo experiment end to end: generates the geometry task, writes it as a TRL vision dataset (JSONL and
 * PNGs), trains a vision-language model on it with {@link SftTrainer} (a tiny LLaVA made from scratch with a
 * character-level tokenizer, or a given llava-hf folder), then answers held-out figures greedily and grades the
 * answers with {@link RuleVerifier}'s multiple-choice grading.
 *
 * <p>Output folder layout: {@code data/} ({@code train.jsonl}, {@code heldout-problems.jsonl}, {@code images/}),
 * {@code tokenizer/} (from scratch), {@code checkpoints/checkpoint-<step>/} (a loadable llava-hf folder).
 *
 * <p>Not thread-safe; {@link #run()} runs once on the calling thread.
 */
public final class GeoExperiment {
    private static final int PHRASE_MIN_COUNT = 20;

    private final Builder s;
    private final Consumer<String> log;

    private GeoExperiment(Builder s) {
        this.s = s;
        this.log = s.log;
    }

    /** A builder writing into {@code outputDir} (created; must not hold checkpoints yet). */
    public static Builder builder(Path outputDir) {
        return new Builder(outputDir);
    }

    /**
     * Held-out accuracy of one level.
     *
     * @param correct problems answered correctly
     * @param total problems of the level
     */
    public record LevelScore(int level, int correct, int total) {
        public double accuracy() {
            return total == 0 ? 0 : (double) correct / total;
        }
    }

    /**
     * What a run did.
     *
     * @param byLevel held-out scores by level, ascending
     * @param dataset the folder with the JSONL files and images
     * @param checkpoint the final checkpoint (a llava-hf folder)
     * @param training the trainer's result
     * @param evaluation wall time of the held-out evaluation
     */
    public record Result(List<LevelScore> byLevel, Path dataset, Path checkpoint, SftResult training,
            Duration evaluation) {
        /** Accuracy over all held-out problems. */
        public double accuracy() {
            int c = 0;
            int t = 0;
            for (LevelScore l : byLevel) {
                c += l.correct();
                t += l.total();
            }
            return t == 0 ? 0 : (double) c / t;
        }

        /** A small table: level, correct, total, accuracy. */
        public String table() {
            StringBuilder sb = new StringBuilder("level  correct  total  accuracy\n");
            for (LevelScore l : byLevel) {
                sb.append(String.format(Locale.ROOT, "%5d  %7d  %5d  %8.3f%n", l.level(), l.correct(), l.total(),
                        l.accuracy()));
            }
            int c = byLevel.stream().mapToInt(LevelScore::correct).sum();
            int t = byLevel.stream().mapToInt(LevelScore::total).sum();
            sb.append(String.format(Locale.ROOT, "  all  %7d  %5d  %8.3f%n", c, t, accuracy()));
            return sb.toString();
        }
    }

    /** Runs the experiment. */
    public Result run() {
        Path out = s.outputDir;
        Path dataDir = out.resolve("data");
        GeoTask.Builder taskBuilder = GeoTask.builder().imageSize(s.imageSize).levels(s.levels).seed(s.seed)
                .traceStyle(s.traceStyle);
        if (s.kinds != null) {
            taskBuilder.kinds(s.kinds);
        }
        GeoTask task = taskBuilder.build();
        List<GeoProblem> train = task.problems(0, s.trainCount);
        List<GeoProblem> heldOut = task.problems(1_000_000_000L, s.evalCount);
        log.accept(String.format(Locale.ROOT, "writing %d training and %d held-out problems to %s", train.size(),
                heldOut.size(), dataDir));
        GeoDatasets.Written written = GeoDatasets.write(dataDir, "train", train, GeoDatasets.MessageForm.STRUCTURED);
        GeoDatasets.write(dataDir, "heldout", heldOut, GeoDatasets.MessageForm.STRUCTURED);

        try (ChatTokenizer tokenizer = s.model != null ? ChatTokenizer.load(s.model)
                : ChatTokenizer.load(taskTokenizer(out.resolve("tokenizer"), train, heldOut));
                VisionLm model = s.model != null ? VisionLm.load(s.model, Device.cpu())
                        : VisionLm.randomInit(scratchConfig(tokenizer), s.seed, Device.cpu())) {
            PreprocessorConfig preprocessor = s.model != null ? PreprocessorConfig.read(s.model)
                    : PreprocessorConfig.clip(s.imageSize);
            if (s.freezeEncoder) {
                model.freezeVisionEncoder();
            }
            SftData data = SftData.builder(written.sft(), tokenizer).images(model.config()).build();
            log.accept(String.format(Locale.ROOT, "training %s (%d records) for %s", model.config().textConfig()
                    .modelType(), data.size(), s.maxSteps != null ? s.maxSteps + " steps" : s.epochs + " epochs"));
            SftTrainer.Builder trainer = SftTrainer.builder(model, preprocessor, data).maxLength(s.maxLength)
                    .batchTokens(s.batchTokens).learningRate(s.learningRate).seed(s.seed)
                    .outputDir(out.resolve("checkpoints")).saveEvery(Long.MAX_VALUE).keepCheckpoints(1)
                    .weightDecay(0.0);
            if (s.maxSteps != null) {
                trainer.maxSteps(s.maxSteps);
            } else {
                trainer.epochs(s.epochs);
            }
            if (s.progress != null) {
                trainer.progress(s.progress);
            }
            SftResult trained = trainer.build().fit();
            log.accept(String.format(Locale.ROOT, "trained %d steps in %.1f s, last loss %.4f", trained.steps(),
                    trained.elapsed().toMillis() / 1000.0, trained.finalLoss()));
            long started = System.nanoTime();
            List<LevelScore> scores = evaluate(model, tokenizer, preprocessor, heldOut, dataDir);
            Duration evaluation = Duration.ofNanos(System.nanoTime() - started);
            return new Result(scores, dataDir, trained.lastCheckpoint().orElseThrow(), trained, evaluation);
        }
    }

    /** Greedy answers to the held-out problems, graded by level. */
    private List<LevelScore> evaluate(VisionLm model, ChatTokenizer tokenizer, PreprocessorConfig preprocessor,
            List<GeoProblem> problems, Path dataDir) {
        ImageProcessor images = ImageProcessor.of(preprocessor);
        int placeholder = tokenizer.tokenToId(GeoDatasets.IMAGE_PLACEHOLDER).orElseThrow(
                () -> new IllegalArgumentException("the tokenizer in " + tokenizer.folder() + " has no '<image>'"
                        + " token"));
        Set<Integer> stop = new HashSet<>(tokenizer.endOfTurnTokenIds());
        tokenizer.eosTokenId().ifPresent(stop::add);
        SamplingParams greedy = SamplingParams.builder(s.maxNewTokens).temperature(0).stopTokenIds(stop).build();
        RuleVerifier verifier = RuleVerifier.builder().build();
        Map<Integer, int[]> counts = new TreeMap<>();
        Generator generator = Generator.builder(model).maxBatchRows(s.evalBatch).build();
        try (NDManager manager = NDManager.newBaseManager(model.device());
                Progress progress = s.progress == null ? Progress.start("evaluate", problems.size())
                        : Progress.start("evaluate", problems.size(), s.progress)) {
            for (int from = 0; from < problems.size(); from += s.evalBatch) {
                List<GeoProblem> chunk = problems.subList(from, Math.min(problems.size(), from + s.evalBatch));
                List<GenerationRequest> requests = new ArrayList<>();
                try (NDManager batch = manager.newSubManager()) {
                    for (GeoProblem p : chunk) {
                        int[] prompt = promptIds(tokenizer, p, placeholder, model.config());
                        NDArray pixels = images.process(dataDir.resolve(GeoDatasets.IMAGES).resolve(p.id() + ".png"))
                                .toNDArray(batch);
                        requests.add(GenerationRequest.of(prompt, greedy).withImages(pixels));
                    }
                    List<GenerationResult> results = generator.generate(requests);
                    for (int i = 0; i < chunk.size(); i++) {
                        GeoProblem p = chunk.get(i);
                        String answer = tokenizer.decode(results.get(i).first().tokenIds(), true);
                        boolean correct = p.grade(verifier, answer).correct();
                        int[] c = counts.computeIfAbsent(p.level(), l -> new int[2]);
                        c[0] += correct ? 1 : 0;
                        c[1]++;
                    }
                }
                progress.stepTo(Math.min(problems.size(), from + s.evalBatch));
            }
        }
        List<LevelScore> scores = new ArrayList<>();
        counts.forEach((level, c) -> scores.add(new LevelScore(level, c[0], c[1])));
        return scores;
    }

    /**
     * The prompt of a problem as training saw it (the user message with the image part, then the generation prompt),
     * with the placeholder expanded to {@code imageSeqLength} image tokens.
     */
    static int[] promptIds(ChatTokenizer tokenizer, GeoProblem p, int placeholder, VisionLmConfig config) {
        String user = GeoDatasets.IMAGE_PLACEHOLDER + "\n" + p.prompt();
        int[] ids = tokenizer.encodeChat(List.of(ChatMessage.user(user)), true).ids();
        int seq = config.imageSeqLength();
        int[] out = new int[ids.length + seq - 1];
        int k = 0;
        for (int id : ids) {
            if (id == placeholder) {
                Arrays.fill(out, k, k + seq, config.imageTokenIndex());
                k += seq;
            } else {
                out[k++] = id;
            }
        }
        return Arrays.copyOf(out, k);
    }

    /**
     * The task's tokenizer: every character of the problems, plus phrase tokens for what recurs — each kind's
     * question with its fixed choices, each option letter's prefix, the answer sentence, and the trace words seen at
     * least {@value #PHRASE_MIN_COUNT} times — so a level-1 conversation is a few dozen tokens instead of a few
     * hundred characters. Written with {@link TokenizerFiles#writePhraseLevel}, so it is an ordinary
     * {@code tokenizer.json}.
     */
    static Path taskTokenizer(Path folder, List<GeoProblem> train, List<GeoProblem> heldOut) {
        Set<Integer> chars = new TreeSet<>();
        Set<String> phrases = new LinkedHashSet<>();
        Map<String, Integer> words = new HashMap<>();
        for (List<GeoProblem> list : List.of(train, heldOut)) {
            for (GeoProblem p : list) {
                p.prompt().codePoints().forEach(chars::add);
                p.trace().codePoints().forEach(chars::add);
                if (p.kind().fixedChoices().isPresent()) {
                    phrases.add(p.prompt());
                } else {
                    phrases.add(p.kind().question() + "\n");
                }
                if (list == train) {
                    for (String word : p.trace().split("(?<= )")) {
                        words.merge(word, 1, Integer::sum);
                    }
                }
            }
        }
        for (String letter : List.of("A", "B", "C", "D")) {
            phrases.add(letter + ". ");
        }
        phrases.add("The answer is \\boxed{");
        words.entrySet().stream().filter(e -> e.getValue() >= PHRASE_MIN_COUNT && e.getKey().length() >= 3)
                .map(Map.Entry::getKey).sorted().forEach(phrases::add);
        phrases.remove(GeoDatasets.IMAGE_PLACEHOLDER);
        StringBuilder alphabet = new StringBuilder();
        chars.forEach(alphabet::appendCodePoint);
        return TokenizerFiles.writePhraseLevel(folder, alphabet.toString(), List.copyOf(phrases),
                List.of("<|endoftext|>", GeoDatasets.IMAGE_PLACEHOLDER));
    }

    private VisionLmConfig scratchConfig(ChatTokenizer tokenizer) {
        int heads = Math.max(1, s.hiddenSize / 16);
        ModelConfig text = ModelConfig.builder(ModelType.QWEN2).vocabSize(tokenizer.vocabularySize())
                .hiddenSize(s.hiddenSize).intermediateSize(2 * s.hiddenSize).numHiddenLayers(s.layers)
                .numAttentionHeads(heads).numKeyValueHeads(heads).maxPositionEmbeddings(Math.max(s.maxLength,
                        s.maxLength + s.maxNewTokens)).tieWordEmbeddings(true).build();
        VisionEncoderConfig vision = VisionEncoderConfig.builder(VisionEncoderType.CLIP).hiddenSize(s.hiddenSize)
                .intermediateSize(2 * s.hiddenSize).numHiddenLayers(s.layers).numAttentionHeads(heads)
                .imageSize(s.imageSize).patchSize(s.patchSize).build();
        return VisionLmConfig.builder(text, vision).visionFeatureLayer(-1)
                .imageTokenIndex(tokenizer.tokenToId(GeoDatasets.IMAGE_PLACEHOLDER).orElseThrow()).build();
    }

    /** Settings of a run; each property may be set once. Defaults: a tiny model that learns level 1 on a CPU. */
    public static final class Builder {
        private final Path outputDir;
        private final Set<String> set = new HashSet<>();
        private int[] levels = {1};
        private GeoKind[] kinds;
        private int trainCount = 2000;
        private int evalCount = 200;
        private long seed = 1;
        private int imageSize = 32;
        private int patchSize = 8;
        private int hiddenSize = 64;
        private int layers = 2;
        private TraceStyle traceStyle = TraceStyle.ANSWER_ONLY;
        private Integer epochs;
        private Long maxSteps;
        private double learningRate = 1e-3;
        private int maxLength = 512;
        private int batchTokens = 512;
        private int maxNewTokens = 40;
        private int evalBatch = 50;
        private boolean freezeEncoder;
        private Path model;
        private Progress.Mode progress;
        private Consumer<String> log = line -> { };

        private Builder(Path outputDir) {
            this.outputDir = Objects.requireNonNull(outputDir, "outputDir");
        }

        private void once(String property) {
            if (!set.add(property)) {
                throw new IllegalStateException("GeoExperiment property '" + property + "' was already set");
            }
        }

        /** Difficulty levels, 1 to 3 (default 1). */
        public Builder levels(int... levels) {
            once("levels");
            this.levels = levels.clone();
            return this;
        }

        /** Only these kinds of problems (default: every kind of the levels). */
        public Builder kinds(GeoKind... kinds) {
            once("kinds");
            this.kinds = kinds.clone();
            return this;
        }

        /** Training problems (default 2000). */
        public Builder trainCount(int n) {
            once("trainCount");
            this.trainCount = n;
            return this;
        }

        /** Held-out problems (default 200). */
        public Builder evalCount(int n) {
            once("evalCount");
            this.evalCount = n;
            return this;
        }

        /** Seed of the task, the weights and the data order (default 1). */
        public Builder seed(long seed) {
            once("seed");
            this.seed = seed;
            return this;
        }

        /** Image side in pixels (default 32); with {@link #model} it must be the model's. */
        public Builder imageSize(int pixels) {
            once("imageSize");
            this.imageSize = pixels;
            return this;
        }

        /** Patch side of a model from scratch (default 8). */
        public Builder patchSize(int pixels) {
            once("patchSize");
            this.patchSize = pixels;
            return this;
        }

        /** Width of the encoder and decoder of a model from scratch (default 64). */
        public Builder hiddenSize(int width) {
            once("hiddenSize");
            this.hiddenSize = width;
            return this;
        }

        /** Layers of the encoder and decoder of a model from scratch (default 2). */
        public Builder layers(int layers) {
            once("layers");
            this.layers = layers;
            return this;
        }

        /** The teacher traces (default {@link TraceStyle#ANSWER_ONLY}, short targets for tiny models). */
        public Builder traceStyle(TraceStyle style) {
            once("traceStyle");
            this.traceStyle = Objects.requireNonNull(style, "style");
            return this;
        }

        /** Passes over the training data (default 8 unless {@link #maxSteps} is set). */
        public Builder epochs(int epochs) {
            once("epochs");
            this.epochs = epochs;
            return this;
        }

        /** Optimiser steps instead of epochs. */
        public Builder maxSteps(long steps) {
            once("maxSteps");
            this.maxSteps = steps;
            return this;
        }

        /** Peak learning rate (default 1e-3, for a model from scratch). */
        public Builder learningRate(double lr) {
            once("learningRate");
            this.learningRate = lr;
            return this;
        }

        /** Longest record in tokens (default 512); longer image records are left out. */
        public Builder maxLength(int tokens) {
            once("maxLength");
            this.maxLength = tokens;
            return this;
        }

        /** Tokens per micro-batch (default 512: many small steps teach a tiny model from scratch faster than few large ones). */
        public Builder batchTokens(int tokens) {
            once("batchTokens");
            this.batchTokens = tokens;
            return this;
        }

        /** The longest answer generated (default 40 tokens). */
        public Builder maxNewTokens(int tokens) {
            once("maxNewTokens");
            this.maxNewTokens = tokens;
            return this;
        }

        /** Freezes the vision encoder (default off: a model from scratch must learn to see). */
        public Builder freezeEncoder(boolean freeze) {
            once("freezeEncoder");
            this.freezeEncoder = freeze;
            return this;
        }

        /** Fine-tunes this llava-hf folder (with its tokenizer and preprocessor) instead of a model from scratch. */
        public Builder model(Path folder) {
            once("model");
            this.model = Objects.requireNonNull(folder, "folder");
            return this;
        }

        /** Progress display (default: the {@code redstar.progress} system property). */
        public Builder progress(Progress.Mode mode) {
            once("progress");
            this.progress = Objects.requireNonNull(mode, "mode");
            return this;
        }

        /** Receives one line per stage (default: nothing). */
        public Builder log(Consumer<String> log) {
            once("log");
            this.log = Objects.requireNonNull(log, "log");
            return this;
        }

        /**
         * The experiment.
         *
         * @throws IllegalArgumentException listing every invalid setting
         */
        public GeoExperiment build() {
            List<String> problems = new ArrayList<>();
            if (levels.length == 0) {
                problems.add("levels is empty");
            }
            for (int l : levels) {
                if (l < 1 || l > 3) {
                    problems.add("level " + l + " is not 1, 2 or 3");
                }
            }
            if (trainCount < 1 || evalCount < 1) {
                problems.add("trainCount and evalCount must be at least 1, got " + trainCount + " and " + evalCount);
            }
            if (model == null && (imageSize % patchSize != 0 || patchSize < 1)) {
                problems.add("imageSize " + imageSize + " must be a multiple of patchSize " + patchSize);
            }
            if (hiddenSize < 16 || hiddenSize % 16 != 0) {
                problems.add("hiddenSize must be a positive multiple of 16, got " + hiddenSize);
            }
            if (epochs != null && maxSteps != null) {
                problems.add("set epochs or maxSteps, not both");
            }
            if (epochs == null && maxSteps == null) {
                epochs = 8;
            }
            if (model != null && !Files.isRegularFile(model.resolve("config.json"))) {
                problems.add("model " + model + " has no config.json");
            }
            if (!problems.isEmpty()) {
                throw new IllegalArgumentException("invalid GeoExperiment settings: " + String.join("; ", problems));
            }
            return new GeoExperiment(this);
        }
    }

    @Override
    public String toString() {
        return "GeoExperiment{levels " + Arrays.toString(s.levels) + ", " + s.trainCount + " train, " + s.evalCount
                + " held out, seed " + s.seed + ", image " + s.imageSize + "}";
    }
}
