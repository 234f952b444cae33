package ai.redstar.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.redstar.core.image.PreprocessorConfig;
import ai.redstar.core.jsonl.JsonlException;
import ai.redstar.core.jsonl.MalformedLinePolicy;
import ai.redstar.core.model.ModelConfig;
import ai.redstar.core.model.ModelType;
import ai.redstar.core.progress.Progress;
import ai.redstar.core.tokenizer.ChatTokenizer;
import ai.redstar.core.tokenizer.TokenizerFiles;
import ai.redstar.core.vision.VisionEncoderConfig;
import ai.redstar.core.vision.VisionEncoderType;
import ai.redstar.core.vision.VisionLm;
import ai.redstar.core.vision.VisionLmConfig;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SftVisionTest {
    private static final int IMAGE_SIZE = 16;
    /** CLIP, 16x16 in 4x4 patches, strategy default: 16 tokens per image. */
    private static final int SEQ = 16;

    @TempDir
    Path dir;

    private ChatTokenizer tokenizer() {
        TokenizerFiles.writeCharLevel(dir.resolve("tok"), TinySft.ALPHABET, List.of("<|endoftext|>", "<image>"));
        return ChatTokenizer.load(dir.resolve("tok"));
    }

    private static VisionLmConfig config(int vocab, int imageToken) {
        ModelConfig text = ModelConfig.builder(ModelType.QWEN2).vocabSize(vocab).hiddenSize(32).intermediateSize(48)
                .numHiddenLayers(2).numAttentionHeads(4).numKeyValueHeads(2).maxPositionEmbeddings(256).build();
        VisionEncoderConfig vision = VisionEncoderConfig.builder(VisionEncoderType.CLIP).hiddenSize(24)
                .intermediateSize(32).numHiddenLayers(2).numAttentionHeads(2).imageSize(IMAGE_SIZE).patchSize(4)
                .build();
        return VisionLmConfig.builder(text, vision).imageTokenIndex(imageToken).build();
    }

    private static VisionLmConfig config(ChatTokenizer tokenizer) {
        return config(tokenizer.vocabularySize(), tokenizer.tokenToId("<image>").orElseThrow());
    }

    private Path png(String name, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        BufferedImage image = new BufferedImage(IMAGE_SIZE, IMAGE_SIZE, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < IMAGE_SIZE; y++) {
            for (int x = 0; x < IMAGE_SIZE; x++) {
                image.setRGB(x, y, r.nextInt(1 << 24));
            }
        }
        Path file = dir.resolve(name);
        try {
            Files.createDirectories(file.getParent());
            ImageIO.write(image, "png", file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file;
    }

    /** TRL's canonical vision record: user content [image, text], assistant content a string. */
    private static String structured(String question, String answer, String... images) {
        JsonObject user = new JsonObject();
        user.addProperty("role", "user");
        JsonArray parts = new JsonArray();
        for (int i = 0; i < images.length; i++) {
            JsonObject image = new JsonObject();
            image.addProperty("type", "image");
            parts.add(image);
        }
        JsonObject text = new JsonObject();
        text.addProperty("type", "text");
        text.addProperty("text", question);
        parts.add(text);
        user.add("content", parts);
        return record(user, answer, images);
    }

    /** The string form: the placeholder written in the user's text. */
    private static String string(String userText, String answer, String... images) {
        return record(TinySft.message("user", userText), answer, images);
    }

    private static String record(JsonObject user, String answer, String... images) {
        JsonObject o = new JsonObject();
        JsonArray messages = new JsonArray();
        messages.add(user);
        messages.add(TinySft.message("assistant", answer));
        o.add("messages", messages);
        JsonArray list = new JsonArray();
        for (String image : images) {
            list.add(image);
        }
        o.add("images", list);
        return o.toString();
    }

    private static PreprocessorConfig preprocessor() {
        return PreprocessorConfig.clip(IMAGE_SIZE);
    }

    @Test
    void imageRecord_expandsPlaceholderAndLearnsOnlyAssistantTokens() {
        png("img/a.png", 1);
        try (ChatTokenizer tokenizer = tokenizer()) {
            VisionLmConfig config = config(tokenizer);
            Path file = TinySft.write(dir.resolve("d.jsonl"), List.of(
                    structured("what is 2+3?", "5.", "img/a.png"),
                    string("<image>\nwhat is 2+3?", "5.", dir.resolve("img/a.png").toString())));
            SftData data = SftData.builder(file, tokenizer).images(config).build();
            assertEquals(2, data.imageRecords());
            TokenizedExample e = data.example(0);
            assertEquals(List.of(dir.resolve("img/a.png").toAbsolutePath().normalize()), e.images());
            int[] ids = e.tokenIds();
            boolean[] mask = e.lossMask();
            int imageToken = config.imageTokenIndex();
            int first = -1;
            int count = 0;
            for (int t = 0; t < ids.length; t++) {
                if (ids[t] == imageToken) {
                    first = first < 0 ? t : first;
                    count++;
                    assertFalse(mask[t], "image token " + t + " is learned");
                }
            }
            assertEquals(SEQ, count);
            for (int t = first; t < first + SEQ; t++) {
                assertEquals(imageToken, ids[t], "the image tokens form one run");
            }
            StringBuilder learned = new StringBuilder();
            for (int t = 0; t < ids.length; t++) {
                if (mask[t]) {
                    learned.append(tokenizer.decode(new int[] {ids[t]}, false));
                }
            }
            assertEquals("5.<|im_end|>", learned.toString());
            // The string form with an absolute path gives the same tokens and image.
            assertEquals(e, data.example(1));
        }
    }

    @Test
    void missingImage_failsNamingFileLineAndPath_orIsSkipped() {
        png("img/a.png", 1);
        try (ChatTokenizer tokenizer = tokenizer()) {
            VisionLmConfig config = config(tokenizer);
            Path file = TinySft.write(dir.resolve("d.jsonl"), List.of(
                    structured("q?", "1.", "img/a.png"),
                    structured("q?", "2.", "img/missing.png"),
                    structured("q?", "3.", "img/a.png")));
            JsonlException e = assertThrows(JsonlException.class,
                    () -> SftData.builder(file, tokenizer).images(config).build());
            assertTrue(e.getMessage().contains("d.jsonl") && e.getMessage().contains("line 2")
                    && e.getMessage().contains(dir.resolve("img/missing.png").toString()), e.getMessage());
            SftData skipping = SftData.builder(file, tokenizer).images(config)
                    .malformedLines(MalformedLinePolicy.SKIP).build();
            assertEquals(2, skipping.size());
            assertEquals(1, skipping.skippedLines());
        }
    }

    @Test
    void placeholderAndImageCounts_mustMatch() {
        png("a.png", 1);
        try (ChatTokenizer tokenizer = tokenizer()) {
            VisionLmConfig config = config(tokenizer);
            Path twoImages = TinySft.write(dir.resolve("d.jsonl"), List.of(string("<image> q?", "1.", "a.png",
                    "a.png")));
            JsonlException e = assertThrows(JsonlException.class,
                    () -> SftData.builder(twoImages, tokenizer).images(config).build());
            assertTrue(e.getMessage().contains("1 image placeholder") && e.getMessage().contains("lists 2"),
                    e.getMessage());
            Path asText = TinySft.write(dir.resolve("t.jsonl"), List.of(string("<image> q?", "1.", "a.png")));
            JsonlException text = assertThrows(JsonlException.class, () -> SftData.fromJsonl(asText, tokenizer));
            assertTrue(text.getMessage().contains(".images("), text.getMessage());
        }
    }

    private SftData data(ChatTokenizer tokenizer, VisionLmConfig config, String name, String... images) {
        List<String> lines = new ArrayList<>();
        String[] answers = {"12.", "7.", "30.", "4."};
        for (int i = 0; i < images.length; i++) {
            lines.add(structured("what is it?", answers[i % answers.length], images[i]));
        }
        return SftData.builder(TinySft.write(dir.resolve(name), lines), tokenizer).images(config).build();
    }

    private static SftTrainer.Builder trainer(VisionLm model, SftData data) {
        return trainer(model, data, 128);
    }

    private static SftTrainer.Builder trainer(VisionLm model, SftData data, int batchTokens) {
        return SftTrainer.builder(model, preprocessor(), data).maxLength(64).batchTokens(batchTokens).learningRate(3e-3)
                .warmupSteps(0).seed(5).progress(Progress.Mode.OFF);
    }

    private static double firstLoss(VisionLm model, SftData data) {
        List<Double> losses = new ArrayList<>();
        trainer(model, data).maxSteps(1).onStep(m -> losses.add(m.loss())).build().fit();
        return losses.get(0);
    }

    @Test
    void sameRecordWithAnotherImage_givesAnotherLoss() {
        png("a.png", 1);
        png("b.png", 2);
        try (ChatTokenizer tokenizer = tokenizer()) {
            VisionLmConfig config = config(tokenizer);
            SftData withA = data(tokenizer, config, "a.jsonl", "a.png");
            SftData withB = data(tokenizer, config, "b.jsonl", "b.png");
            double a;
            double b;
            double again;
            try (VisionLm model = VisionLm.randomInit(config, 3, Device.cpu())) {
                a = firstLoss(model, withA);
            }
            try (VisionLm model = VisionLm.randomInit(config, 3, Device.cpu())) {
                b = firstLoss(model, withB);
            }
            try (VisionLm model = VisionLm.randomInit(config, 3, Device.cpu())) {
                again = firstLoss(model, withA);
            }
            assertEquals(a, again, 0.0, "the same record and weights give the same loss");
            assertNotEquals(a, b, 1e-7);
        }
    }

    @Test
    void frozenEncoder_staysUnchangedWhileTheRestTrains() {
        png("a.png", 1);
        png("b.png", 2);
        try (ChatTokenizer tokenizer = tokenizer(); VisionLm model = VisionLm.randomInit(config(tokenizer), 3,
                Device.cpu())) {
            SftData data = data(tokenizer, model.config(), "d.jsonl", "a.png", "b.png");
            model.freezeVisionEncoder();
            Map<String, NDArray> params = model.parameters();
            String encoder = params.keySet().stream().filter(n -> n.startsWith("vision_tower.")).findFirst()
                    .orElseThrow();
            String projector = "multi_modal_projector.linear_1.weight";
            float[] encoderBefore = params.get(encoder).toFloatArray();
            float[] projectorBefore = params.get(projector).toFloatArray();
            trainer(model, data).maxSteps(2).build().fit();
            assertArrayEquals(encoderBefore, params.get(encoder).toFloatArray());
            assertFalse(Arrays.equals(projectorBefore, params.get(projector).toFloatArray()));
        }
    }

    @Test
    void resume_twoPlusTwoEqualsFour_andCheckpointsAreLlavaFolders() {
        for (int i = 0; i < 4; i++) {
            png("img/" + i + ".png", 10 + i);
        }
        try (ChatTokenizer tokenizer = tokenizer()) {
            VisionLmConfig config = config(tokenizer);
            SftData data = data(tokenizer, config, "d.jsonl", "img/0.png", "img/1.png", "img/2.png", "img/3.png");
            List<Double> straight = new ArrayList<>();
            try (VisionLm model = VisionLm.randomInit(config, 7, Device.cpu())) {
                trainer(model, data, 64).maxSteps(4).onStep(m -> straight.add(m.loss())).build().fit();
            }
            Path output = dir.resolve("run");
            List<Double> split = new ArrayList<>();
            try (VisionLm model = VisionLm.randomInit(config, 7, Device.cpu())) {
                SftTrainer t = trainer(model, data, 64).maxSteps(4).outputDir(output).saveEvery(2)
                        .onStep(m -> {
                            split.add(m.loss());
                            if (m.step() == 3) {
                                throw new IllegalStateException("killed");
                            }
                        }).build();
                assertThrows(IllegalStateException.class, t::fit);
            }
            split.remove(split.size() - 1);
            Path checkpoint = SftTrainer.latestCheckpoint(output).orElseThrow();
            assertEquals("checkpoint-2", checkpoint.getFileName().toString());
            for (String f : List.of("config.json", "model.safetensors", "preprocessor_config.json", "tokenizer.json",
                    "tokenizer_config.json")) {
                assertTrue(Files.isRegularFile(checkpoint.resolve(f)), f);
            }
            try (VisionLm model = VisionLm.randomInit(config, 7, Device.cpu())) {
                SftResult r = trainer(model, data, 64).maxSteps(4).outputDir(output).saveEvery(2)
                        .resumeFrom(checkpoint).onStep(m -> split.add(m.loss())).build().fit();
                assertEquals(4, r.steps());
            }
            assertEquals(4, split.size());
            for (int s = 0; s < 4; s++) {
                assertEquals(straight.get(s), split.get(s), 1e-6, "step " + (s + 1));
            }
            try (VisionLm reloaded = VisionLm.load(output.resolve("checkpoint-4"), Device.cpu())) {
                assertEquals(config.imageSeqLength(), reloaded.config().imageSeqLength());
                assertEquals(config.textConfig().vocabSize(), reloaded.config().textConfig().vocabSize());
                assertEquals(preprocessor(), PreprocessorConfig.read(output.resolve("checkpoint-4")));
            }
        }
    }

    @Test
    void imageRecordsLongerThanMaxLength_areLeftOutNotCut() {
        png("a.png", 1);
        try (ChatTokenizer tokenizer = tokenizer(); VisionLm model = VisionLm.randomInit(config(tokenizer), 3,
                Device.cpu())) {
            Path file = TinySft.write(dir.resolve("d.jsonl"), List.of(
                    structured("q?", "1.", "a.png"),
                    structured("a much longer question than the other one?", "a long answer too.", "a.png")));
            SftData data = SftData.builder(file, tokenizer).images(model.config()).build();
            int shorter = Math.min(data.example(0).length(), data.example(1).length());
            SftResult r = SftTrainer.builder(model, preprocessor(), data).maxLength(shorter).batchTokens(2 * shorter)
                    .truncation(TruncationPolicy.TRUNCATE).maxSteps(1).progress(Progress.Mode.OFF).build().fit();
            assertEquals(0, r.truncatedRecords());
            assertEquals(1, r.droppedRecords());
        }
    }

    @Test
    void imageData_withATextModelTrainer_isRefused() {
        png("a.png", 1);
        try (ChatTokenizer tokenizer = tokenizer()) {
            VisionLmConfig config = config(tokenizer);
            SftData data = data(tokenizer, config, "d.jsonl", "a.png");
            try (var text = ai.redstar.core.model.CausalLm.randomInit(config.textConfig(), 1, Device.cpu())) {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                        () -> SftTrainer.builder(text, data).build());
                assertTrue(e.getMessage().contains("SftTrainer.builder(VisionLm"), e.getMessage());
            }
        }
    }
}
