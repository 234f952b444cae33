package ai.redstar.core.model;

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
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Regression test for a use-after-free: DJL's scalar operations ({@code mul(Number)}, {@code pow(Number)}, ...) wrap
 * the scalar in a Java direct buffer that is freed once the garbage collector runs, while autograd keeps the tensor
 * for backward. A garbage collection between forward and backward then fed freed (here: NaN-poisoned) memory into
 * the gradients. The model must use scalars that libtorch owns.
 */
class CausalLmGarbageCollectionTest {
    @Test
    void backward_afterGarbageCollectionBetweenForwardAndBackward_givesTheSameGradients() throws InterruptedException {
        try (CausalLm model = CausalLm.randomInit(TinyModels.qwen2(), 3, Device.cpu());
                NDManager m = NDManager.newBaseManager()) {
            int seq = 140; // more than one block of PlainAttention
            SplittableRandom random = new SplittableRandom(5);
            long[] tokens = new long[seq + 1];
            for (int i = 0; i < tokens.length; i++) {
                tokens[i] = random.nextInt(96);
            }
            NDArray all = m.create(tokens, new Shape(1, seq + 1));
            NDArray ids = all.get(":, 0:" + seq);
            NDArray targets = all.get(":, 1:").expandDims(2);
            NDArray positions = m.arange(0, seq, 1, DataType.INT64).reshape(1, seq);
            NDArray segments = positions.onesLike();
            Map<String, float[]> reference = gradients(model, ids, positions, segments, targets, false);
            for (int round = 0; round < 3; round++) {
                Map<String, float[]> churned = gradients(model, ids, positions, segments, targets, true);
                for (String name : reference.keySet()) {
                    assertArrayEquals(reference.get(name), churned.get(name), 1e-6f, name + " in round " + round);
                }
            }
        }
    }

    private static Map<String, float[]> gradients(CausalLm model, NDArray ids, NDArray positions, NDArray segments,
            NDArray targets, boolean churn) throws InterruptedException {
        try (NDScope scope = new NDScope();
                GradientCollector collector = Engine.getInstance().newGradientCollector()) {
            NDArray loss = model.forward(ids, positions, segments).logSoftmax(2).gather(targets, 2).sum().neg();
            if (churn) {
                churn();
            }
            collector.backward(loss);
        }
        Map<String, float[]> out = new LinkedHashMap<>();
        for (Map.Entry<String, NDArray> e : model.parameters().entrySet()) {
            try (NDArray g = e.getValue().getGradient()) {
                out.put(e.getKey(), g.toFloatArray());
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
