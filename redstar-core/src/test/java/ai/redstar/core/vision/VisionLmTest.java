package ai.redstar.core.vision;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import ai.redstar.core.checkpoint.Checkpoint;
import ai.redstar.core.checkpoint.TensorDtype;
import ai.redstar.core.model.AttentionMasks;
import ai.redstar.core.model.ModelConfig;
import ai.redstar.core.model.ModelType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VisionLmTest {
    private static final Device CPU = Device.cpu();
    private static final int VOCAB = 40;
    private static final int IMAGE = VOCAB - 1;

    /** CLIP 16x16 images in 4x4 patches: 16 patches + CLS; strategy default gives 16 tokens per image. */
    static VisionLmConfig clipConfig() {
        ModelConfig text = ModelConfig.builder(ModelType.QWEN2).vocabSize(VOCAB).hiddenSize(32).intermediateSize(48)
                .numHiddenLayers(2).numAttentionHeads(4).numKeyValueHeads(2).maxPositionEmbeddings(128).build();
        VisionEncoderConfig vision = VisionEncoderConfig.builder(VisionEncoderType.CLIP).hiddenSize(24)
                .intermediateSize(32).numHiddenLayers(2).numAttentionHeads(2).imageSize(16).patchSize(4).build();
        return VisionLmConfig.builder(text, vision).build();
    }

    static NDArray pixels(NDManager m, int images, long seed) {
        java.util.SplittableRandom r = new java.util.SplittableRandom(seed);
        float[] v = new float[images * 3 * 16 * 16];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) r.nextGaussian();
        }
        return m.create(v, new Shape(images, 3, 16, 16));
    }

    /** One row: 3 text tokens, one image's 16 placeholders, 4 text tokens. */
    static long[] promptWithImage() {
        long[] ids = new long[3 + 16 + 4];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = i >= 3 && i < 19 ? IMAGE : 2 + (i * 7) % 30;
        }
        return ids;
    }

    private static NDArray ones(NDManager m, int length) {
        return m.ones(new Shape(1, length), ai.djl.ndarray.types.DataType.INT64);
    }

    @Test
    void config_roundTripsThroughJson_keepingUnknownFields() {
        VisionLmConfig c = clipConfig().toBuilder().visionFeatureLayers(List.of(-1, 0))
                .visionFeatureSelectStrategy(FeatureSelectStrategy.FULL).build();
        String json = c.toJson().replace("\"model_type\": \"llava\"", "\"model_type\": \"llava\", \"custom\": 7");
        VisionLmConfig read = VisionLmConfig.fromJson(json);
        assertEquals(List.of(-1, 0), read.visionFeatureLayers());
        assertTrue(read.visionFeatureLayerIsList());
        assertEquals(17, read.imageSeqLength());
        assertEquals(48, read.imageFeatureWidth());
        assertEquals(7, read.extraFields().get("custom").getAsInt());
        assertEquals(read, VisionLmConfig.fromJson(read.toJson()));
        assertEquals(16, clipConfig().imageSeqLength());
        assertEquals(IMAGE, VisionLmConfig.fromJson(clipConfig().toJson().replace("image_token_index",
                "image_token_id")).imageTokenIndex());
    }

    @Test
    void config_reportsEveryProblem() {
        String json = clipConfig().toJson().replace("\"vision_feature_layer\": -2", "\"vision_feature_layer\": 9")
                .replace("\"default\"", "\"pooled\"").replace("\"quick_gelu\"", "\"wiggle\"");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> VisionLmConfig.fromJson(json));
        assertTrue(e.getMessage().contains("pooled"), e.getMessage());
        assertTrue(e.getMessage().contains("wiggle"), e.getMessage());
        IllegalArgumentException layer = assertThrows(IllegalArgumentException.class,
                () -> VisionLmConfig.fromJson(clipConfig().toJson().replace("\"vision_feature_layer\": -2",
                        "\"vision_feature_layer\": 9")));
        assertTrue(layer.getMessage().contains("'vision_feature_layer' holds 9, outside [-3, 2]"),
                layer.getMessage());
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                () -> VisionLmConfig.fromJson("{\"model_type\": \"llava\"}"));
        assertTrue(missing.getMessage().contains("text_config") && missing.getMessage().contains("vision_config"),
                missing.getMessage());
    }

    @Test
    void embed_putsImageFeaturesExactlyAtPlaceholders_andLeavesEarlierTextUnchanged() {
        try (VisionLm model = VisionLm.randomInit(clipConfig(), 3, CPU);
                NDManager m = NDManager.newBaseManager(CPU)) {
            long[] prompt = promptWithImage();
            NDArray ids = m.create(prompt, new Shape(1, prompt.length));
            NDArray px = pixels(m, 1, 5);
            NDArray embedded = model.embed(ids, px);
            assertEquals(new Shape(1, prompt.length, 32), embedded.getShape());
            NDArray features = model.imageFeatures(px);
            assertEquals(new Shape(1, 16, 32), features.getShape());
            assertArrayEquals(features.toFloatArray(), embedded.get(":, 3:19, :").toFloatArray());
            long[] textOnly = prompt.clone();
            for (int i = 3; i < 19; i++) {
                textOnly[i] = 0;
            }
            NDArray tokens = model.decoder().embed(m.create(textOnly, new Shape(1, prompt.length)));
            assertArrayEquals(tokens.get(":, 0:3, :").toFloatArray(), embedded.get(":, 0:3, :").toFloatArray());
            assertArrayEquals(tokens.get(":, 19:, :").toFloatArray(), embedded.get(":, 19:, :").toFloatArray());
            // The text before the image sees no image: logits equal the decoder's alone.
            NDArray pos = AttentionMasks.positionsFromPaddingMask(ones(m, prompt.length));
            NDArray logits = model.forward(ids, pos, ones(m, prompt.length), px, null);
            NDArray head = m.create(java.util.Arrays.copyOf(prompt, 3), new Shape(1, 3));
            NDArray alone = model.decoder().forward(head, pos.get(":, 0:3"), ones(m, 3));
            // (equal up to float rounding: the matmuls run over 3 rows here and 23 there)
            float diff = alone.sub(logits.get(":, 0:3, :")).abs().max().getFloat();
            assertTrue(diff < 1e-5f, "max |Δlogits| " + diff);
        }
    }

    @Test
    void forward_rejectsPlaceholderCountMismatch_namingBothCounts() {
        try (VisionLm model = VisionLm.randomInit(clipConfig(), 3, CPU);
                NDManager m = NDManager.newBaseManager(CPU)) {
            long[] prompt = promptWithImage();
            NDArray ids = m.create(prompt, new Shape(1, prompt.length));
            NDArray pos = AttentionMasks.positionsFromPaddingMask(ones(m, prompt.length));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> model.forward(ids, pos, ones(m, prompt.length), pixels(m, 2, 1), null));
            assertTrue(e.getMessage().contains("hold 16 image placeholder") && e.getMessage().contains("= 32"),
                    e.getMessage());
            assertThrows(IllegalArgumentException.class,
                    () -> model.forward(ids, pos, ones(m, prompt.length), null, null));
        }
    }

    @Test
    void saveThenLoad_isBitIdentical_inBothCheckpointLayouts(@TempDir Path dir) {
        try (VisionLm model = VisionLm.randomInit(clipConfig(), 11, CPU);
                NDManager m = NDManager.newBaseManager(CPU)) {
            long[] prompt = promptWithImage();
            NDArray ids = m.create(prompt, new Shape(1, prompt.length));
            NDArray pos = AttentionMasks.positionsFromPaddingMask(ones(m, prompt.length));
            NDArray px = pixels(m, 1, 8);
            float[] expected = model.forward(ids, pos, ones(m, prompt.length), px, null).toFloatArray();
            Path classic = dir.resolve("classic");
            model.save(classic, TensorDtype.F32);
            assertTrue(Files.exists(classic.resolve("config.json")));
            // transformers >= 4.52 layout, written from the classic one
            Path modern = dir.resolve("modern");
            try (NDManager t = NDManager.newBaseManager(CPU)) {
                Map<String, NDArray> renamed = new LinkedHashMap<>();
                Checkpoint.readTensors(classic, t).forEach((name, a) -> renamed.put(modernName(name), a));
                Checkpoint.writeTensors(modern, renamed, TensorDtype.F32, Checkpoint.DEFAULT_MAX_SHARD_BYTES);
            }
            VisionLmConfig.read(classic).write(modern);
            for (Path folder : List.of(classic, modern)) {
                try (VisionLm loaded = VisionLm.load(folder, CPU)) {
                    assertEquals(model.config().visionConfig(), loaded.config().visionConfig());
                    assertEquals("float32", loaded.config().textConfig().torchDtype());
                    assertEquals(model.parameters().keySet(), loaded.parameters().keySet());
                    model.parameters().forEach((name, a) -> assertArrayEquals(a.toFloatArray(),
                            loaded.parameters().get(name).toFloatArray(), name));
                    assertArrayEquals(expected, loaded.forward(ids, pos, ones(m, prompt.length), px, null)
                            .toFloatArray(), folder.toString());
                }
            }
        }
    }

    private static String modernName(String classic) {
        if (classic.startsWith("language_model.model.")) {
            return "model.language_model." + classic.substring("language_model.model.".length());
        }
        if (classic.equals("language_model.lm_head.weight")) {
            return "lm_head.weight";
        }
        return "model." + classic;
    }

    @Test
    void frozenEncoder_getsNoGradient_whileProjectorAndDecoderDo() {
        try (VisionLm model = VisionLm.randomInit(clipConfig(), 5, CPU);
                NDManager m = NDManager.newBaseManager(CPU)) {
            model.freezeVisionEncoder();
            assertTrue(model.isVisionEncoderFrozen());
            Map<String, NDArray> trainable = model.trainableParameters();
            assertFalse(trainable.keySet().stream().anyMatch(n -> n.startsWith("vision_tower.")));
            assertTrue(trainable.containsKey("multi_modal_projector.linear_1.weight"));
            long[] prompt = promptWithImage();
            NDArray ids = m.create(prompt, new Shape(1, prompt.length));
            NDArray pos = AttentionMasks.positionsFromPaddingMask(ones(m, prompt.length));
            try (GradientCollector collector = Engine.getInstance().newGradientCollector();
                    NDScope scope = new NDScope()) {
                NDArray logits = model.forward(ids, pos, ones(m, prompt.length), pixels(m, 1, 2), null);
                collector.backward(logits.logSoftmax(2).get(":, :, 3").mean().neg());
            }
            for (String name : List.of("multi_modal_projector.linear_1.weight", "multi_modal_projector.linear_2.bias",
                    "language_model.model.embed_tokens.weight", "language_model.model.layers.0.mlp.up_proj.weight")) {
                try (NDArray g = trainable.get(name).getGradient(); NDArray max = g.abs().max()) {
                    assertTrue(max.getFloat() > 0, name);
                }
            }
            model.parameters().forEach((name, a) -> {
                if (name.startsWith("vision_tower.")) {
                    assertFalse(a.hasGradient(), name);
                }
            });
            model.zeroGradients();
            try (NDArray g = trainable.get("multi_modal_projector.linear_1.weight").getGradient();
                    NDArray max = g.abs().max()) {
                assertEquals(0f, max.getFloat());
            }
        }
    }
}
