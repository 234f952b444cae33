package ai.redstar.train.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class LrScheduleTest {
    @Test
    void learningRate_warmupThenCosineToTheFloor() {
        LrSchedule s = new LrSchedule(1e-3, 1e-4, 4, 14);
        assertEquals(0.25e-3, s.learningRate(1), 1e-15);
        assertEquals(0.5e-3, s.learningRate(2), 1e-15);
        assertEquals(1e-3, s.learningRate(4), 1e-15);
        // halfway through the decay (step 9 of 4..14): floor + (peak - floor) / 2
        assertEquals(1e-4 + 0.9e-3 / 2, s.learningRate(9), 1e-15);
        // two steps in: floor + (peak - floor) (1 + cos(pi · 2/10)) / 2
        assertEquals(1e-4 + 0.9e-3 * (1 + Math.cos(Math.PI * 0.2)) / 2, s.learningRate(6), 1e-15);
        assertEquals(1e-4, s.learningRate(14), 1e-15);
        assertEquals(1e-4, s.learningRate(100), 1e-15);
    }

    @Test
    void learningRate_decreasesMonotonicallyAfterWarmup() {
        LrSchedule s = new LrSchedule(2e-5, 0, 10, 1000);
        for (long step = 11; step <= 1000; step++) {
            assertTrue(s.learningRate(step) <= s.learningRate(step - 1), "step " + step);
        }
    }

    @Test
    void learningRate_withoutWarmup_startsNearThePeak() {
        LrSchedule s = new LrSchedule(1.0, 0, 0, 10);
        assertEquals((1 + Math.cos(Math.PI * 0.1)) / 2, s.learningRate(1), 1e-15);
    }

    @Test
    void constructor_rejectsInvalidValues() {
        assertThrows(IllegalArgumentException.class, () -> new LrSchedule(0, 0, 0, 10));
        assertThrows(IllegalArgumentException.class, () -> new LrSchedule(1, 2, 0, 10));
        assertThrows(IllegalArgumentException.class, () -> new LrSchedule(1, 0, 11, 10));
        assertThrows(IllegalArgumentException.class, () -> new LrSchedule(1, 0, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new LrSchedule(1, 0, 0, 10).learningRate(0));
    }
}
