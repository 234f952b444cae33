package ai.redstar.rl.loss;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import ai.djl.engine.Engine;
import org.junit.jupiter.api.Test;

class LossesTest {
    private static NDArray row(NDManager m, float... v) {
        return m.create(v, new Shape(1, v.length));
    }

    @Test
    void k1k3_matchHandValues() {
        // logp = −1, ref = −1.5: k1 = 0.5; r = −0.5, k3 = e^−0.5 + 0.5 − 1
        assertEquals(0.5, KlEstimators.k1(-1, -1.5, Double.POSITIVE_INFINITY), 1e-12);
        assertEquals(Math.exp(-0.5) - 0.5, KlEstimators.k3(-1, -1.5, Double.POSITIVE_INFINITY), 1e-12);
        assertEquals(0.3, KlEstimators.k1(-1, -1.5, 0.3), 1e-12);
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray k3 = KlEstimators.k3(row(m, -1f, -2f), row(m, -1.5f, -2f), Double.POSITIVE_INFINITY);
            assertArrayEquals(new float[] {(float) (Math.exp(-0.5) - 0.5), 0f}, k3.toFloatArray(), 1e-6f);
            // clamp: r = 20 → k3 ≈ e^20 clamped to 10
            assertEquals(10f, KlEstimators.k3(row(m, -21f), row(m, -1f), 10).getFloat(0, 0), 0f);
        }
    }

    @Test
    void policyLoss_clipBranchesAndDualClip_matchHandValues() {
        try (NDManager m = NDManager.newBaseManager()) {
            // ratios e^0 = 1, e^{ln 1.5} = 1.5, e^{ln 0.5} = 0.5, e^{ln 5} = 5; ε = 0.2
            NDArray logp = row(m, 0f, (float) Math.log(1.5), (float) Math.log(0.5), (float) Math.log(5));
            NDArray old = row(m, 0f, 0f, 0f, 0f);
            NDArray adv = row(m, 1f, 1f, -1f, -1f);
            // t0: max(−1, −1) = −1; t1: A=1, ρ=1.5: max(−1.5, −1.2) = −1.2 (clipped)
            // t2: A=−1, ρ=.5: max(.5, .8) = .8 (clipped); t3: A=−1, ρ=5: max(5, 1.2) = 5 → dual clip 3 → 3
            PolicyLoss.Result plain = PolicyLoss.clipped(logp, old, adv, 0.2, 0);
            assertArrayEquals(new float[] {-1f, -1.2f, 0.8f, 5f}, plain.loss().toFloatArray(), 1e-5f);
            assertArrayEquals(new float[] {0f, 1f, 1f, 0f}, plain.clipped().toFloatArray(), 0f);
            PolicyLoss.Result dual = PolicyLoss.clipped(logp, old, adv, 0.2, 3);
            assertArrayEquals(new float[] {-1f, -1.2f, 0.8f, 3f}, dual.loss().toFloatArray(), 1e-5f);
        }
    }

    @Test
    void policyLoss_gradientOnlyThroughUnclippedTokens() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray logp = row(m, 0f, (float) Math.log(1.5));
            logp.setRequiresGradient(true);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray loss = PolicyLoss.clipped(logp, row(m, 0f, 0f), row(m, 2f, 1f), 0.2, 0).loss().sum();
                gc.backward(loss);
            }
            // d(−Aρ)/dlogp = −Aρ = −2 at t0; clipped t1 has no gradient
            assertArrayEquals(new float[] {-2f, 0f}, logp.getGradient().toFloatArray(), 1e-5f);
        }
    }

    @Test
    void valueLoss_clippedBranch_matchHandValues() {
        try (NDManager m = NDManager.newBaseManager()) {
            // t0: V=1, old=0, R=1, c=.2: unclipped 0, clipped (.2 − 1)² = .64 → ½·.64 = .32
            // t1: V=.1, old=0, R=1: (.9)² = .81 both → .405
            NDArray loss = PolicyLoss.value(row(m, 1f, 0.1f), row(m, 0f, 0f), row(m, 1f, 1f), 0.2);
            assertArrayEquals(new float[] {0.32f, 0.405f}, loss.toFloatArray(), 1e-6f);
        }
    }

    @Test
    void aggregation_tokenMeanOverStep_vsSequenceMean() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray loss = m.create(new float[] {1, 2, 3, 4, 100, 6}, new Shape(2, 3));
            NDArray mask = m.create(new float[] {1, 1, 1, 1, 0, 1}, new Shape(2, 3));
            // token mean over a step of 10 valid tokens: (1+2+3+4+6)/10 = 1.6
            assertEquals(1.6f, Aggregation.TOKEN_MEAN.aggregate(loss, mask, 10).getFloat(), 1e-6f);
            // sequence mean over a step of 4 sequences: (2 + 5)/4 = 1.75
            assertEquals(1.75f, Aggregation.SEQUENCE_MEAN.aggregate(loss, mask, 4).getFloat(), 1e-6f);
        }
    }
}
