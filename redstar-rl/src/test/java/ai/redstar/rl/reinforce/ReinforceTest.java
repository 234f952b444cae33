package ai.redstar.rl.reinforce;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.redstar.rl.loss.MaskedTokens;
import ai.redstar.rl.loss.Variance;
import org.junit.jupiter.api.Test;

class ReinforceTest {
    @Test
    void returns_klInRewardAndClippedScore_matchHandValues() {
        // k1 = logp − ref = [0.5, −0.2, 0.1]; β = 0.1 → r = [−0.05, 0.02, −0.01]; score 7 clipped to 5 at t = 2
        // γ = 0.5: G2 = 4.99; G1 = 0.02 + 2.495 = 2.515; G0 = −0.05 + 1.2575 = 1.2075
        double[][] g = DiscountedReturns.compute(new double[] {7}, new double[][] {{-1.0, -2.2, -0.4}},
                new double[][] {{-1.5, -2.0, -0.5}}, new boolean[][] {{true, true, true}}, 0.1,
                Double.POSITIVE_INFINITY, 5, 0.5, MaskedTokens.SKIP);
        assertArrayEquals(new double[] {1.2075, 2.515, 4.99}, g[0], 1e-12);
    }

    @Test
    void returns_maskedMiddleAndTrailingPad_scoreOnLastValidPosition() {
        // no KL; score 1 on position 2 (position 3 is padding); position 1 masked; γ = 0.5
        // SKIP: G2 = 1, G0 = 0.5; ZERO: G1 = 0.5 (reported 0), G0 = 0.25
        double[][] zeros = {{0, 0, 0, 0}};
        boolean[][] mask = {{true, false, true, false}};
        double[][] skip = DiscountedReturns.compute(new double[] {1}, zeros, zeros, mask, 0.1,
                Double.POSITIVE_INFINITY, 10, 0.5, MaskedTokens.SKIP);
        assertArrayEquals(new double[] {0.5, 0, 1, 0}, skip[0], 1e-12);
        double[][] zero = DiscountedReturns.compute(new double[] {1}, zeros, zeros, mask, 0.1,
                Double.POSITIVE_INFINITY, 10, 0.5, MaskedTokens.ZERO);
        assertArrayEquals(new double[] {0.25, 0, 1, 0}, zero[0], 1e-12);
    }

    @Test
    void whitening_overAllValidTokens_populationAndUnbiased() {
        // valid values 1, 2, 3, 6 (the 100 is masked): mean 3; Σ(x − 3)² = 4 + 1 + 0 + 9 = 14
        double[][] v = {{1, 100, 2}, {3, 6, 0}};
        boolean[][] m = {{true, false, true}, {true, true, false}};
        double[][] pop = Whitening.whiten(v, m, Variance.POPULATION, 0);
        double s = Math.sqrt(14.0 / 4);
        assertArrayEquals(new double[] {-2 / s, 0, -1 / s}, pop[0], 1e-12);
        assertArrayEquals(new double[] {0, 3 / s, 0}, pop[1], 1e-12);
        double u = Math.sqrt(14.0 / 3);
        assertArrayEquals(new double[] {0, 3 / u, 0}, Whitening.whiten(v, m, Variance.UNBIASED, 0)[1], 1e-12);
    }

    @Test
    void whitening_allEqual_givesZerosNotNaN() {
        double[][] w = Whitening.whiten(new double[][] {{2, 2}, {2, 0}}, new boolean[][] {{true, true}, {true, false}},
                Variance.POPULATION, Whitening.DEFAULT_EPS);
        assertArrayEquals(new double[] {0, 0}, w[0], 0);
        assertArrayEquals(new double[] {0, 0}, w[1], 0);
    }

    @Test
    void whitening_noValidToken_rejected() {
        assertThrows(IllegalArgumentException.class, () -> Whitening.whiten(new double[][] {{1}},
                new boolean[][] {{false}}, Variance.POPULATION, 0));
    }
}
