package ai.redstar.rl.grpo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.redstar.rl.loss.Variance;
import org.junit.jupiter.api.Test;

class GroupAdvantagesTest {
    @Test
    void groups_meanStdAndZeroVarianceFiltered() {
        // group 0: [1, 0, 0, 1] mean .5, unbiased var = 4·.25/3 = 1/3; group 1: all 1 → filtered
        GroupAdvantages.Result r = GroupAdvantages.compute(new double[] {1, 0, 0, 1, 1, 1, 1, 1}, 4, true, 1e-4,
                Variance.UNBIASED);
        double a = 0.5 / (Math.sqrt(1.0 / 3) + 1e-4);
        assertArrayEquals(new double[] {a, -a, -a, a, 0, 0, 0, 0}, r.advantages(), 1e-12);
        assertArrayEquals(new boolean[] {true, true, true, true, false, false, false, false}, r.kept());
        assertEquals(1, r.filteredGroups());
        assertEquals(0.5, r.filteredShare());
    }

    @Test
    void drGrpo_noStdScaling_populationOption() {
        GroupAdvantages.Result dr = GroupAdvantages.compute(new double[] {3, 0, 0}, 3, false, 1e-4,
                Variance.POPULATION);
        assertArrayEquals(new double[] {2, -1, -1}, dr.advantages(), 1e-12);
        // population std of [3, 0, 0] = sqrt(6/3) = sqrt 2
        GroupAdvantages.Result pop = GroupAdvantages.compute(new double[] {3, 0, 0}, 3, true, 1e-4,
                Variance.POPULATION);
        assertEquals(2 / (Math.sqrt(2) + 1e-4), pop.advantages()[0], 1e-12);
    }

    @Test
    void groupSizeNotDividing_rejected() {
        assertThrows(IllegalArgumentException.class, () -> GroupAdvantages.compute(new double[3], 2, true, 1e-4,
                Variance.UNBIASED));
    }
}
