package ai.redstar.rl.reward;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.redstar.verify.Gold;
import ai.redstar.verify.RuleVerifier;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class RewardFunctionTest {
    private static final RuleVerifier VERIFIER = RuleVerifier.builder().build();

    @Test
    void correctness_rightIsOneWrongIsZero_withVerdictReason() {
        RewardFunction f = RewardFunction.correctness(VERIFIER);
        Reward right = f.score(new Rollout("so \\boxed{0.5}", Gold.math("\\frac{1}{2}"), 5, false));
        Reward wrong = f.score(new Rollout("so \\boxed{3}", Gold.math("\\frac{1}{2}"), 5, false));
        Reward none = f.score(new Rollout("no idea", Gold.math("2"), 5, false));
        assertEquals(1, right.value());
        assertEquals(0, wrong.value());
        assertEquals(0, none.value());
        assertTrue(right.reason().startsWith("verdict "), right.reason());
        assertTrue(!wrong.reason().equals(right.reason()), wrong.reason());
    }

    @Test
    void composed_sumsValuesAndJoinsReasons() {
        RewardFunction f = RewardFunction.correctness(VERIFIER)
                .plus(RewardFunction.format(Pattern.compile("</think>"), 0.1))
                .plus(RewardFunction.overlongPenalty(100, 20, 1.0));
        // right answer, format present, 90 tokens: penalty (90 − 80)/20 = .5 → 1 + .1 − .5
        Reward r = f.score(new Rollout("x</think> \\boxed{2}", Gold.math("2"), 90, false));
        assertEquals(0.6, r.value(), 1e-12);
        assertEquals(3, r.reason().split("; ").length, r.reason());
    }

    @Test
    void overlong_zonesAndTruncation() {
        RewardFunction f = RewardFunction.overlongPenalty(100, 20, 2.0);
        assertEquals(0, f.score(new Rollout("", Gold.math("1"), 80, false)).value());
        assertEquals(-1.0, f.score(new Rollout("", Gold.math("1"), 90, false)).value(), 1e-12);
        assertEquals(-2.0, f.score(new Rollout("", Gold.math("1"), 50, true)).value(), 1e-12);
        assertThrows(IllegalArgumentException.class, () -> RewardFunction.overlongPenalty(10, 11, 1));
    }
}
