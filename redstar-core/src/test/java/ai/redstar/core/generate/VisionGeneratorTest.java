package ai.redstar.core.generate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.redstar.core.model.CausalLm;
import ai.redstar.core.model.ModelConfig;
import ai.redstar.core.model.ModelType;
import ai.redstar.core.vision.VisionEncoderConfig;
import ai.redstar.core.vision.VisionEncoderType;
import ai.redstar.core.vision.VisionLm;
import ai.redstar.core.vision.VisionLmConfig;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class VisionGeneratorTest {
    private static final int VOCAB = 48;
    private static final int IMAGE = VOCAB - 1;
    private static final int SEQ = 9; // SigLIP 12x12 in 4x4 patches, strategy full
    private static VisionLm model;
    private static NDManager manager;

    @BeforeAll
    static void tinyModel() {
        ModelConfig text = ModelConfig.builder(ModelType.QWEN2).vocabSize(VOCAB).hiddenSize(32).intermediateSize(48)
                .numHiddenLayers(2).numAttentionHeads(4).numKeyValueHeads(2).maxPositionEmbeddings(64).build();
        VisionEncoderConfig vision = VisionEncoderConfig.builder(VisionEncoderType.SIGLIP).hiddenSize(24)
                .intermediateSize(32).numHiddenLayers(2).numAttentionHeads(2).imageSize(12).patchSize(4).build();
        VisionLmConfig config = VisionLmConfig.builder(text, vision).visionFeatureLayer(-1)
                .visionFeatureSelectStrategy(ai.redstar.core.vision.FeatureSelectStrategy.FULL).build();
        model = VisionLm.randomInit(config, 21, Device.cpu());
        // Sharpen the head and the projector so that images visibly steer the (peaked) next-token choice.
        model.parameters().get("language_model.lm_head.weight").muli(10f);
        model.parameters().get("multi_modal_projector.linear_2.weight").muli(50f);
        manager = NDManager.newBaseManager(Device.cpu());
    }

    @AfterAll
    static void close() {
        manager.close();
        model.close();
    }

    private static NDArray image(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] v = new float[3 * 12 * 12];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) r.nextGaussian();
        }
        return manager.create(v, new Shape(1, 3, 12, 12));
    }

    private static int[] prompt() {
        int[] p = new int[2 + SEQ + 3];
        Arrays.fill(p, IMAGE);
        p[0] = 5;
        p[1] = 9;
        p[SEQ + 2] = 13;
        p[SEQ + 3] = 2;
        p[SEQ + 4] = 30;
        return p;
    }

    /** Greedy continuation recomputed with full forward passes (no cache), one token at a time. */
    private static int[] greedyWithoutCache(int[] prompt, NDArray pixels, int steps) {
        int[] tokens = Arrays.copyOf(prompt, prompt.length + steps);
        for (int t = 0; t < steps; t++) {
            int s = prompt.length + t;
            long[] ids = new long[s];
            long[] pos = new long[s];
            for (int i = 0; i < s; i++) {
                ids[i] = tokens[i];
                pos[i] = i;
            }
            try (NDManager m = manager.newSubManager()) {
                Shape shape = new Shape(1, s);
                NDArray logits = model.forward(m.create(ids, shape), m.create(pos, shape),
                        m.ones(shape, DataType.INT64), pixels, null);
                tokens[s] = (int) logits.get("0, -1, :").argMax().getLong();
            }
        }
        return Arrays.copyOfRange(tokens, prompt.length, tokens.length);
    }

    @Test
    void greedyWithImage_equalsArgmaxOfFullForwardPasses_andImagesMatter() {
        Generator generator = Generator.builder(model).build();
        SamplingParams greedy = SamplingParams.builder(6).temperature(0).stopTokenIds().build();
        NDArray first = image(1);
        NDArray second = image(2);
        // Two requests in one batch (with a text-only row of another length) exercise padding and image order.
        List<GenerationResult> results = generator.generate(List.of(
                GenerationRequest.of(prompt(), greedy).withImages(first),
                GenerationRequest.of(new int[] {4, 8, 15}, greedy),
                GenerationRequest.of(prompt(), greedy).withImages(second)));
        int[] a = results.get(0).completions().get(0).tokenIds();
        int[] b = results.get(2).completions().get(0).tokenIds();
        assertArrayEquals(greedyWithoutCache(prompt(), first, 6), a);
        assertArrayEquals(greedyWithoutCache(prompt(), second, 6), b);
        assertNotEquals(Arrays.toString(a), Arrays.toString(b), "two images gave the same completion");
    }

    @Test
    void generate_rejectsImageCountMismatch_andImagesOnTextOnlyModels() {
        SamplingParams greedy = SamplingParams.builder(2).temperature(0).build();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Generator.builder(model)
                .build().generate(GenerationRequest.of(new int[] {1, IMAGE, 2}, greedy).withImages(image(3))));
        assertTrue(e.getMessage().contains("holds 1 image placeholder") && e.getMessage().contains("= 9"),
                e.getMessage());
        CausalLm text = model.decoder();
        IllegalArgumentException t = assertThrows(IllegalArgumentException.class, () -> Generator.builder(text)
                .build().generate(GenerationRequest.of(prompt(), greedy).withImages(image(3))));
        assertTrue(t.getMessage().contains("text-only"), t.getMessage());
    }
}
