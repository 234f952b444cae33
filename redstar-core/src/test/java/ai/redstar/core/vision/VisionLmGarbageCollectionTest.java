package ai.redstar.core.vision;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Regression test for the use-after-free of DJL's scalar operations in the vision tower (the CausalLm twin is
 * {@code CausalLmGarbageCollectionTest}): {@code mul(Number)} wraps its scalar in a Java direct buffer that the garbage
 * collector frees while autograd still holds the tensor for backward. With the attention scale and the GELU constants
 * as such scalars, a collection between forward and backward put freed memory into the encoder's gradients (NaN at
 * step 122 of a geometry run). Both encoder families and both tanh and quick GELU are covered.
 */
class VisionLmGarbageCollectionTest {
    @Test
    void backward_afterGarbageCollectionBetweenForwardAndBackward_givesTheSameEncoderGradients()
            throws InterruptedException {
        VisionLmConfig clip = VisionLmTest.clipConfig();
        VisionEncoderConfig siglip = VisionEncoderConfig.builder(VisionEncoderType.SIGLIP).hiddenSize(24)
                .intermediateSize(32).numHiddenLayers(2).numAttentionHeads(2).imageSize(16).patchSize(4)
                .hiddenAct(VisionActivation.GELU_PYTORCH_TANH).build();
        VisionLmConfig tanh = VisionLmConfig.builder(clip.textConfig(), siglip).imageTokenIndex(clip.imageTokenIndex())
                .visionFeatureSelectStrategy(FeatureSelectStrategy.FULL).build();
        for (VisionLmConfig config : List.of(clip, tanh)) {
            try (VisionLm model = VisionLm.randomInit(config, 3, Device.cpu());
                    NDManager m = NDManager.newBaseManager()) {
                long[] row = VisionLmTest.promptWithImage();
                NDArray ids = m.create(row, new Shape(1, row.length));
                NDArray positions = m.arange(0, row.length, 1, DataType.INT64).reshape(1, row.length);
                NDArray segments = positions.onesLike();
                NDArray pixels = VisionLmTest.pixels(m, 1, 7);
                Map<String, float[]> reference = gradients(model, ids, positions, segments, pixels, false);
                for (int round = 0; round < 2; round++) {
                    Map<String, float[]> churned = gradients(model, ids, positions, segments, pixels, true);
                    for (String name : reference.keySet()) {
                        assertArrayEquals(reference.get(name), churned.get(name), 1e-6f,
                                name + " of " + config.visionConfig().type() + " in round " + round);
                    }
                }
            }
        }
    }

    private static Map<String, float[]> gradients(VisionLm model, NDArray ids, NDArray positions, NDArray segments,
            NDArray pixels, boolean churn) throws InterruptedException {
        try (NDScope scope = new NDScope();
                GradientCollector collector = Engine.getInstance().newGradientCollector()) {
            NDArray loss = model.forward(ids, positions, segments, pixels, null).logSoftmax(2).get(":, :, 5").sum()
                    .neg();
            if (churn) {
                churn();
            }
            collector.backward(loss);
        }
        Map<String, float[]> out = new LinkedHashMap<>();
        for (Map.Entry<String, NDArray> e : model.parameters().entrySet()) {
            if (e.getKey().startsWith("vision_tower") || e.getKey().startsWith("multi_modal_projector")) {
                try (NDArray g = e.getValue().getGradient()) {
                    out.put(e.getKey(), g.toFloatArray());
                }
            }
        }
        model.zeroGradients();
        return out;
    }

    /** Collects garbage (so that freed direct buffers' memory returns to malloc) and refills it with NaN. */
    private static void churn() throws InterruptedException {
        for (int pass = 0; pass < 3; pass++) {
            System.gc();
            Thread.sleep(30);
            List<ByteBuffer> poison = new ArrayList<>();
            for (int i = 0; i < 20_000; i++) {
                ByteBuffer b = ByteBuffer.allocateDirect(4).order(ByteOrder.nativeOrder());
                b.putFloat(0, Float.NaN);
                poison.add(b);
            }
            poison.clear();
        }
    }
}
