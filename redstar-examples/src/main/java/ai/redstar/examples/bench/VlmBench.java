package ai.redstar.examples.bench;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import ai.redstar.core.image.PreprocessorConfig;
import ai.redstar.core.model.ModelConfig;
import ai.redstar.core.model.ModelType;
import ai.redstar.core.progress.Progress;
import ai.redstar.core.tokenizer.ChatTokenizer;
import ai.redstar.core.tokenizer.TokenizerFiles;
import ai.redstar.core.vision.VisionEncoderConfig;
import ai.redstar.core.vision.VisionEncoderType;
import ai.redstar.core.vision.VisionLm;
import ai.redstar.core.vision.VisionLmConfig;
import ai.redstar.train.SftData;
import ai.redstar.train.SftTrainer;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import javax.imageio.ImageIO;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code redstar bench vlm}: throughput of a small LLaVA configuration (CLIP encoder 64x64 images in 8x8 patches,
 * width 128, 4 layers; Qwen2 decoder width 128, 4 layers; 64 image tokens per image) on the CPU.
 *
 * <p>Figures, one JSON line each: {@code vlm_images_per_s} (vision tower and projector forward,
 * {@link VisionLm#imageFeatures}, without gradients, on batches of random pixel values) and
 * {@code vlm_sft_tokens_per_s} ({@link SftTrainer} steps on image records: random PNGs read and preprocessed, the
 * forward and backward through encoder, projector and decoder, clipping and AdamW; real tokens incl. image tokens).
 */
@Command(name = "vlm", mixinStandardHelpOptions = true,
        description = "Vision-language model: images/s encoded and SFT tokens/s on image records (one JSON line each).")
public final class VlmBench implements Callable<Integer> {
    private static final int IMAGE = 64;

    @Option(names = "--batch", defaultValue = "16", description = "Images per encoder batch (default ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--warmup", defaultValue = "2", description = "Untimed repetitions (default ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--steps", defaultValue = "8", description = "Timed repetitions (default ${DEFAULT-VALUE}).")
    int steps;

    @Option(names = "--seed", defaultValue = "1", description = "Seed of weights and data (default ${DEFAULT-VALUE}).")
    long seed;

    static VisionLmConfig config(int vocab, int imageToken) {
        ModelConfig text = ModelConfig.builder(ModelType.QWEN2).vocabSize(vocab).hiddenSize(128).intermediateSize(256)
                .numHiddenLayers(4).numAttentionHeads(4).numKeyValueHeads(4).maxPositionEmbeddings(1024)
                .tieWordEmbeddings(true).build();
        VisionEncoderConfig vision = VisionEncoderConfig.builder(VisionEncoderType.CLIP).hiddenSize(128)
                .intermediateSize(256).numHiddenLayers(4).numAttentionHeads(4).imageSize(IMAGE).patchSize(8).build();
        return VisionLmConfig.builder(text, vision).visionFeatureLayer(-1).imageTokenIndex(imageToken).build();
    }

    @Override
    public Integer call() throws IOException {
        Path dir = Files.createTempDirectory("redstar-bench-vlm");
        try {
            TokenizerFiles.writeCharLevel(dir.resolve("tok"), "abcdefghijklmnopqrstuvwxyz0123456789 .?",
                    List.of("<|endoftext|>", "<image>"));
            try (ChatTokenizer tokenizer = ChatTokenizer.load(dir.resolve("tok"));
                    VisionLm model = VisionLm.randomInit(config(tokenizer.vocabularySize(),
                            tokenizer.tokenToId("<image>").orElseThrow()), seed, Device.cpu())) {
                encode(model);
                train(model, tokenizer, dir);
            }
        } finally {
            try (var walk = Files.walk(dir)) {
                walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        return 0;
    }

    private void encode(VisionLm model) {
        double[] rates = new double[steps];
        boolean grad = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        try (NDManager manager = NDManager.newBaseManager(model.device())) {
            SplittableRandom r = new SplittableRandom(seed);
            float[] v = new float[batch * 3 * IMAGE * IMAGE];
            for (int i = 0; i < v.length; i++) {
                v[i] = (float) r.nextGaussian();
            }
            NDArray pixels = manager.create(v, new Shape(batch, 3, IMAGE, IMAGE));
            for (int i = 0; i < warmup + steps; i++) {
                long start = System.nanoTime();
                try (NDScope scope = new NDScope()) {
                    model.imageFeatures(pixels).toFloatArray();
                }
                if (i >= warmup) {
                    rates[i - warmup] = batch / ((System.nanoTime() - start) / 1e9);
                }
            }
        } finally {
            JniUtils.setGradMode(grad);
        }
        Arrays.sort(rates);
        JsonObject f = BenchFigures.figure("vlm_images_per_s");
        f.addProperty("median", BenchFigures.round(BenchFigures.median(rates)));
        f.addProperty("best", BenchFigures.round(rates[rates.length - 1]));
        f.addProperty("batch", batch);
        f.addProperty("image_size", IMAGE);
        f.addProperty("image_tokens", model.config().imageSeqLength());
        f.addProperty("note", "vision tower + projector forward, no gradients");
        BenchFigures.print(f);
    }

    private void train(VisionLm model, ChatTokenizer tokenizer, Path dir) throws IOException {
        SplittableRandom r = new SplittableRandom(seed);
        List<String> lines = new ArrayList<>();
        Files.createDirectories(dir.resolve("img"));
        for (int i = 0; i < 64; i++) {
            BufferedImage image = new BufferedImage(IMAGE, IMAGE, BufferedImage.TYPE_INT_RGB);
            for (int y = 0; y < IMAGE; y++) {
                for (int x = 0; x < IMAGE; x++) {
                    image.setRGB(x, y, r.nextInt(1 << 24));
                }
            }
            ImageIO.write(image, "png", dir.resolve("img/" + i + ".png").toFile());
            JsonObject o = new JsonObject();
            JsonArray messages = new JsonArray();
            messages.add(message("user", "<image>\nwhat is in the figure number " + i + "?"));
            messages.add(message("assistant", "the figure shows a random pattern of colours number " + i + "."));
            o.add("messages", messages);
            JsonArray images = new JsonArray();
            images.add("img/" + i + ".png");
            o.add("images", images);
            lines.add(o.toString());
        }
        Path file = dir.resolve("d.jsonl");
        Files.writeString(file, String.join("\n", lines) + "\n", StandardCharsets.UTF_8);
        SftData data = SftData.builder(file, tokenizer).images(model.config()).build();
        double[] rates = new double[steps];
        int[] done = {0};
        SftTrainer.builder(model, PreprocessorConfig.clip(IMAGE), data).maxLength(512).batchTokens(1024)
                .learningRate(1e-3).maxSteps(warmup + steps).seed(seed).progress(Progress.Mode.OFF)
                .onStep(m -> {
                    if (m.step() > warmup) {
                        rates[done[0]++] = m.tokensPerSecond();
                    }
                }).build().fit();
        Arrays.sort(rates);
        JsonObject f = BenchFigures.figure("vlm_sft_tokens_per_s");
        f.addProperty("median", BenchFigures.round(BenchFigures.median(rates)));
        f.addProperty("best", BenchFigures.round(rates[rates.length - 1]));
        f.addProperty("batch_tokens", 1024);
        f.addProperty("image_tokens_per_record", model.config().imageSeqLength());
        f.addProperty("steps", steps);
        f.addProperty("note", "SftTrainer on image records, packed rows of 512; tokens include image tokens");
        BenchFigures.print(f);
    }

    private static JsonObject message(String role, String content) {
        JsonObject m = new JsonObject();
        m.addProperty("role", role);
        m.addProperty("content", content);
        return m;
    }

}
