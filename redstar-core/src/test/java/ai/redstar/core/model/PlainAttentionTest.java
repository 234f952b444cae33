package ai.redstar.core.model;

import static ai.redstar.core.model.TinyModels.maxAbsDiff;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.api.Test;

class PlainAttentionTest {

    /** softmax(q·kᵀ·scale + bias)·v with keys and values repeated per query head, as transformers' eager path. */
    private static NDArray textbook(NDArray q, NDArray k, NDArray v, NDArray bias, float scale) {
        long group = q.getShape().get(1) / k.getShape().get(1);
        NDArray keys = k.repeat(1, group);
        NDArray values = v.repeat(1, group);
        return q.matMul(keys.transpose(0, 1, 3, 2)).mul(scale).add(bias).softmax(3).matMul(values);
    }

    /** Segments of two packed documents and trailing padding, over {@code length} positions. */
    private static NDArray segments(NDManager m, int batch, int length) {
        long[][] ids = new long[batch][length];
        for (int row = 0; row < batch; row++) {
            for (int i = 0; i < length; i++) {
                ids[row][i] = i < length / 3 + row * 7 ? 1 : i < length - 5 ? 2 : 0;
            }
        }
        return m.create(ids);
    }

    @Test
    void blockedLongChunk_equalsTextbookAttention_valuesAndGradients() {
        try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
            Engine.getInstance().setRandomSeed(3);
            int batch = 2;
            int length = 2 * PlainAttention.BLOCK + 44;
            NDArray q = m.randomNormal(new Shape(batch, 6, length, 8));
            NDArray k = m.randomNormal(new Shape(batch, 2, length, 8));
            NDArray v = m.randomNormal(new Shape(batch, 2, length, 8));
            NDArray seg = segments(m, batch, length);
            NDArray bias = AttentionMasks.causalSegmentBias(seg, seg, 0);
            NDArray weights = m.randomNormal(new Shape(batch, 6, length, 8));
            NDArray[] grads = new NDArray[6];
            NDArray[] outs = new NDArray[2];
            for (int variant = 0; variant < 2; variant++) {
                NDArray[] inputs = {q.duplicate(), k.duplicate(), v.duplicate()};
                for (NDArray x : inputs) {
                    x.setRequiresGradient(true);
                }
                try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                    NDArray out = variant == 0
                            ? PlainAttention.INSTANCE.attend(inputs[0], inputs[1], inputs[2], bias, 0.35f)
                            : textbook(inputs[0], inputs[1], inputs[2], bias, 0.35f);
                    collector.backward(out.mul(weights).sum());
                    outs[variant] = out;
                }
                for (int i = 0; i < 3; i++) {
                    grads[3 * variant + i] = inputs[i].getGradient();
                }
            }
            assertEquals(new Shape(batch, 6, length, 8), outs[0].getShape());
            assertTrue(maxAbsDiff(outs[0], outs[1]) < 1e-5, "outputs differ by " + maxAbsDiff(outs[0], outs[1]));
            for (int i = 0; i < 3; i++) {
                float diff = maxAbsDiff(grads[i], grads[3 + i]);
                assertTrue(diff < 1e-4, "gradient " + i + " differs by " + diff);
            }
        }
    }

    @Test
    void blockedChunkAfterCachedKeys_equalsTextbookAttention() {
        try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
            Engine.getInstance().setRandomSeed(4);
            int cached = 70;
            int fresh = PlainAttention.BLOCK + 90;
            NDArray q = m.randomNormal(new Shape(1, 4, fresh, 16));
            NDArray k = m.randomNormal(new Shape(1, 4, cached + fresh, 16));
            NDArray v = m.randomNormal(new Shape(1, 4, cached + fresh, 16));
            NDArray keySegments = m.ones(new Shape(1, cached + fresh), DataType.INT64);
            NDArray querySegments = m.ones(new Shape(1, fresh), DataType.INT64);
            NDArray bias = AttentionMasks.causalSegmentBias(querySegments, keySegments, cached);
            NDArray blocked = PlainAttention.INSTANCE.attend(q, k, v, bias, 0.25f);
            assertTrue(maxAbsDiff(blocked, textbook(q, k, v, bias, 0.25f)) < 1e-5);
        }
    }
}
