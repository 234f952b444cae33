package ai.redstar.rl.ppo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import ai.redstar.rl.loss.MaskedTokens;
import org.junit.jupiter.api.Test;

class GaeTest {
    @Test
    void gae_threeTokens_matchesHandRecursion() {
        // γ = 0.5, λ = 0.5; r = [0, 0, 1], V = [0.1, 0.2, 0.3]
        // δ2 = 1 − 0.3 = 0.7; A2 = 0.7
        // δ1 = 0 + 0.5·0.3 − 0.2 = −0.05; A1 = −0.05 + 0.25·0.7 = 0.125
        // δ0 = 0 + 0.5·0.2 − 0.1 = 0; A0 = 0 + 0.25·0.125 = 0.03125
        Gae.Result r = Gae.compute(new double[][] {{0, 0, 1}}, new double[][] {{0.1, 0.2, 0.3}},
                new boolean[][] {{true, true, true}}, 0.5, 0.5, MaskedTokens.SKIP);
        assertArrayEquals(new double[] {0.03125, 0.125, 0.7}, r.advantages()[0], 1e-12);
        assertArrayEquals(new double[] {0.13125, 0.325, 1.0}, r.returns()[0], 1e-12);
    }

    @Test
    void gae_maskedTokenInTheMiddle_skippedOrZeroed() {
        // r = [0, 5, 1], V = [0.1, 9, 0.3], position 1 masked; γ = λ = 0.5
        double[][] rewards = {{0, 5, 1}};
        double[][] values = {{0.1, 9, 0.3}};
        boolean[][] mask = {{true, false, true}};
        // SKIP: trajectory is (0, V .1) -> (1, V .3): A2 = .7; δ0 = 0 + .5·.3 − .1 = .05; A0 = .05 + .25·.7 = .225
        Gae.Result skip = Gae.compute(rewards, values, mask, 0.5, 0.5, MaskedTokens.SKIP);
        assertArrayEquals(new double[] {0.225, 0, 0.7}, skip.advantages()[0], 1e-12);
        // ZERO: r1 = V1 = 0: A2 = .7; δ1 = .5·.3 = .15, A1 = .15 + .25·.7 = .325 (reported as 0);
        // δ0 = 0 + .5·0 − .1 = −.1; A0 = −.1 + .25·.325 = −0.01875
        Gae.Result zero = Gae.compute(rewards, values, mask, 0.5, 0.5, MaskedTokens.ZERO);
        assertArrayEquals(new double[] {-0.01875, 0, 0.7}, zero.advantages()[0], 1e-12);
        assertArrayEquals(new double[] {0.08125, 0, 1.0}, zero.returns()[0], 1e-12);
    }

    @Test
    void gae_singleTokenResponse_isRewardMinusValue() {
        Gae.Result r = Gae.compute(new double[][] {{1, 0}}, new double[][] {{0.4, 7}},
                new boolean[][] {{true, false}}, 1, 0.95, MaskedTokens.SKIP);
        assertArrayEquals(new double[] {0.6, 0}, r.advantages()[0], 1e-12);
    }
}
