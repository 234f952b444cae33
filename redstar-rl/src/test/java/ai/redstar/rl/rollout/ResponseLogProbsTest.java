package ai.redstar.rl.rollout;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

class ResponseLogProbsTest {
    @Test
    void logProbs_temperatureScaledAndMaskedByPosition_evenWhenPadEqualsEos() {
        try (NDManager m = NDManager.newBaseManager()) {
            // vocab 3, eos = pad = 2. Every position's logits are [0, 2, 0]; at T = 2 that is [0, 1, 0]:
            // log p(1) = 1 − log(2 + e), log p(0) = log p(2) = −log(2 + e)
            float[] logits = new float[2 * 4 * 3];
            for (int p = 0; p < 8; p++) {
                logits[p * 3 + 1] = 2;
            }
            // row 0: prompt [0, 0], response [1, 2(eos)], no padding
            // row 1: prompt [0], response [2(eos)] (single token), then padding 2, 2 — same id as eos
            NDArray tokens = m.create(new int[] {0, 0, 1, 2, 0, 2, 2, 2}, new Shape(2, 4));
            ResponseLogProbs.Result r = ResponseLogProbs.compute(m.create(logits, new Shape(2, 4, 3)), tokens,
                    new int[] {2, 1}, new int[] {2, 1}, 2.0);
            float z = (float) Math.log(2 + Math.E);
            assertArrayEquals(new float[] {1 - z, -z, -z, 0}, r.logProbs().toFloatArray(), 1e-6f);
            assertArrayEquals(new float[] {1, 1, 1, 0}, r.mask().toFloatArray(), 0f);
        }
    }

    @Test
    void logProbs_responseBeyondSequence_rejected() {
        try (NDManager m = NDManager.newBaseManager()) {
            assertThrows(IllegalArgumentException.class, () -> ResponseLogProbs.compute(m.zeros(new Shape(1, 3, 2)),
                    m.zeros(new Shape(1, 3)), new int[] {2}, new int[] {2}, 1.0));
        }
    }
}
