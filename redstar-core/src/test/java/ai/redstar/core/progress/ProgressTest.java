package ai.redstar.core.progress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ProgressTest {
    @Test
    void logMode_countsSteps() {
        try (Progress p = Progress.start("test", 10, Progress.Mode.LOG)) {
            p.step();
            p.step(3);
            p.status("loss 1.0");
            assertEquals(4, p.current());
            p.stepTo(9);
            assertEquals(9, p.current());
        }
    }

    @Test
    void offMode_isSilentAndCountsNothing() {
        try (Progress p = Progress.start("test", -1, Progress.Mode.OFF)) {
            p.step(5);
            assertEquals(0, p.current());
        }
    }

    @Test
    void badModeProperty_throwsNamingTheValue() {
        String old = System.getProperty("redstar.progress");
        System.setProperty("redstar.progress", "loud");
        try {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Progress.start("t", 1));
            assertTrue(e.getMessage().contains("'loud'"), e.getMessage());
        } finally {
            if (old == null) {
                System.clearProperty("redstar.progress");
            } else {
                System.setProperty("redstar.progress", old);
            }
        }
    }

    @Test
    void negativeTotal_isRejected() {
        assertThrows(IllegalArgumentException.class, () -> Progress.start("t", -2, Progress.Mode.OFF));
    }
}
