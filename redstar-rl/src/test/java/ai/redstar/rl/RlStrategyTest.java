package ai.redstar.rl;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.redstar.rl.loss.Variance;
import org.junit.jupiter.api.Test;

class RlStrategyTest {
    @Test
    void defaults_areValid() {
        assertDoesNotThrow(Dpo::defaults);
        assertDoesNotThrow(Ppo::defaults);
        assertDoesNotThrow(ReinforcePlusPlus::defaults);
        assertDoesNotThrow(Grpo::defaults);
    }

    @Test
    void dpo_badParameters_reportsEveryOneByNameAndValue() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new Dpo(-1, Dpo.Loss.IPO, 0.2, null));
        assertTrue(e.getMessage().contains("beta=-1.0"), e.getMessage());
        assertTrue(e.getMessage().contains("labelSmoothing=0.2"), e.getMessage());
        assertTrue(e.getMessage().contains("reference=null"), e.getMessage());
    }

    @Test
    void ppo_dualClipAtOne_rejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new Ppo(0.2, 1.0, 0.2, 0.5, 1, 0.95, 0.01, 0));
        assertTrue(e.getMessage().contains("dualClip=1.0"), e.getMessage());
    }

    @Test
    void reinforce_gammaAboveOne_rejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new ReinforcePlusPlus(0.2, 0.01, 1.5, 10, Variance.POPULATION, false));
        assertTrue(e.getMessage().contains("gamma=1.5"), e.getMessage());
    }

    @Test
    void grpo_zeroEpsilon_rejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new Grpo(0.2, 0.04, true, 0, Variance.UNBIASED));
        assertTrue(e.getMessage().contains("epsilon=0.0"), e.getMessage());
    }
}
