package ai.redstar.data.pairs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.redstar.data.filter.Candidate;
import ai.redstar.data.problem.Problem;
import ai.redstar.data.sample.Trace;
import ai.redstar.verify.RuleVerifier;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PairingPolicyTest {
    private static final RuleVerifier VERIFIER = RuleVerifier.builder().build();

    /** A candidate of {@code tokens} tokens (one per word). */
    private static Candidate trace(int index, int tokens, String id) {
        String text = "x ".repeat(tokens);
        return Candidate.of(Problem.math(1, id, "q", "5"), Trace.of(id, index, text),
                t -> t.split(" ").length, VERIFIER);
    }

    private static List<String> ids(List<PreferencePair> pairs) {
        return pairs.stream().map(p -> p.chosen().trace().sampleIndex() + ">" + p.rejected().trace().sampleIndex())
                .toList();
    }

    @Test
    void shortestRightLongestWrong_makesOnePair() {
        List<Candidate> right = List.of(trace(0, 50, "p"), trace(2, 20, "p"), trace(5, 20, "p"));
        List<Candidate> wrong = List.of(trace(1, 10, "p"), trace(3, 90, "p"), trace(4, 90, "p"));
        assertEquals(List.of("2>3"), ids(new PairingPolicy.ShortestRightLongestWrong().pairs(right, wrong)));
    }

    @Test
    void allPairs_rightMajorUpToTheCap() {
        List<Candidate> right = List.of(trace(0, 5, "p"), trace(1, 5, "p"));
        List<Candidate> wrong = List.of(trace(2, 5, "p"), trace(3, 5, "p"));
        assertEquals(List.of("0>2", "0>3", "1>2", "1>3"), ids(new PairingPolicy.AllPairs(10).pairs(right, wrong)));
        assertEquals(List.of("0>2", "0>3", "1>2"), ids(new PairingPolicy.AllPairs(3).pairs(right, wrong)));
    }

    @Test
    void perProblem_drawsDistinctPairsSeededPerProblem() {
        List<Candidate> right = List.of(trace(0, 5, "p"), trace(1, 5, "p"), trace(2, 5, "p"));
        List<Candidate> wrong = List.of(trace(3, 5, "p"), trace(4, 5, "p"), trace(5, 5, "p"));
        PairingPolicy policy = new PairingPolicy.PerProblem(4, 7);
        List<String> first = ids(policy.pairs(right, wrong));
        assertEquals(4, first.size());
        assertEquals(4, new HashSet<>(first).size(), "no pair twice");
        assertEquals(first, ids(policy.pairs(right, wrong)), "same seed, same pairs");
        Set<List<String>> draws = new HashSet<>();
        for (long seed = 0; seed < 10; seed++) {
            draws.add(ids(new PairingPolicy.PerProblem(4, seed).pairs(right, wrong)));
        }
        assertTrue(draws.size() > 1, "seeds change the draw");
        List<Candidate> otherRight = List.of(trace(0, 5, "q"), trace(1, 5, "q"), trace(2, 5, "q"));
        List<Candidate> otherWrong = List.of(trace(3, 5, "q"), trace(4, 5, "q"), trace(5, 5, "q"));
        assertNotEquals(first, ids(policy.pairs(otherRight, otherWrong)), "another problem draws differently");
        assertEquals(9, new PairingPolicy.PerProblem(20, 1).pairs(right, wrong).size(), "all when fewer exist");
    }

    @Test
    void noRightOrNoWrong_makesNoPair() {
        List<Candidate> some = List.of(trace(0, 5, "p"));
        assertTrue(new PairingPolicy.ShortestRightLongestWrong().pairs(some, List.of()).isEmpty());
        assertTrue(new PairingPolicy.AllPairs(5).pairs(List.of(), some).isEmpty());
        assertTrue(new PairingPolicy.NoPairs().pairs(some, some).isEmpty());
        assertThrows(IllegalArgumentException.class, () -> new PairingPolicy.PerProblem(0, 1));
        assertThrows(IllegalArgumentException.class,
                () -> new PreferencePair(trace(0, 5, "p"), trace(1, 5, "other")));
    }
}
