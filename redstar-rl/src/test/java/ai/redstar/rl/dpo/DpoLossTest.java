package ai.redstar.rl.dpo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import ai.redstar.rl.Dpo;
import org.junit.jupiter.api.Test;

class DpoLossTest {
    @Test
    void sigmoid_withLabelSmoothing_matchesHandValues() {
        try (NDManager m = NDManager.newBaseManager()) {
            // z = (−1 − −2) − (−3 − −2) = 2; β = .5 → x = 1
            // loss = .9·log(1 + e^−1) + .1·log(1 + e^1)
            Dpo cfg = new Dpo(0.5, Dpo.Loss.SIGMOID, 0.1, Dpo.Reference.CACHED);
            DpoLoss.Result r = DpoLoss.compute(cfg, m.create(new float[] {-1}), m.create(new float[] {-3}),
                    m.create(new float[] {-2}), m.create(new float[] {-2}));
            float want = (float) (0.9 * Math.log1p(Math.exp(-1)) + 0.1 * Math.log1p(Math.exp(1)));
            assertArrayEquals(new float[] {want}, r.loss().toFloatArray(), 1e-6f);
            assertArrayEquals(new float[] {0.5f}, r.chosenRewards().toFloatArray(), 1e-6f);
            assertArrayEquals(new float[] {-0.5f}, r.rejectedRewards().toFloatArray(), 1e-6f);
        }
    }

    @Test
    void ipoAndHinge_matchHandValues() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray c = m.create(new float[] {-1, -5});
            NDArray rj = m.create(new float[] {-3, -2});
            NDArray zero = m.create(new float[] {0, 0});
            // z = [2, −3]; IPO β = .5: (z − 1)² = [1, 16]; hinge β = .5: max(0, 1 − z/2) = [0, 2.5]
            assertArrayEquals(new float[] {1, 16}, DpoLoss.compute(new Dpo(0.5, Dpo.Loss.IPO, 0,
                    Dpo.Reference.LIVE), c, rj, zero, zero).loss().toFloatArray(), 1e-5f);
            assertArrayEquals(new float[] {0, 2.5f}, DpoLoss.compute(new Dpo(0.5, Dpo.Loss.HINGE, 0,
                    Dpo.Reference.LIVE), c, rj, zero, zero).loss().toFloatArray(), 1e-5f);
        }
    }

    @Test
    void sigmoid_hugeLogits_finiteLossAndGradient() {
        try (NDManager m = NDManager.newBaseManager()) {
            // z = ±2000, β = 1: a naive log(sigmoid(x)) overflows (e^2000 → inf, log 0 → −inf)
            NDArray chosen = m.create(new float[] {0, -2000});
            chosen.setRequiresGradient(true);
            NDArray rejected = m.create(new float[] {-2000, 0});
            NDArray zero = m.create(new float[] {0, 0});
            NDArray loss;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                loss = DpoLoss.compute(new Dpo(1, Dpo.Loss.SIGMOID, 0, Dpo.Reference.CACHED), chosen, rejected,
                        zero, zero).loss();
                gc.backward(loss.sum());
            }
            // softplus(−2000) = 0, softplus(2000) = 2000; gradient −σ(−x): 0 and −1
            assertArrayEquals(new float[] {0, 2000}, loss.toFloatArray(), 1e-3f);
            float[] g = chosen.getGradient().toFloatArray();
            assertArrayEquals(new float[] {0, -1}, g, 1e-6f);
            assertTrue(Float.isFinite(g[0]) && Float.isFinite(g[1]));
        }
    }
}
