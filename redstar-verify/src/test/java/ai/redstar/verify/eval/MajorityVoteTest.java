package ai.redstar.verify.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class MajorityVoteTest {

    @Test
    void winner_largestGroupByTheEquivalence() {
        List<String> answers = List.of("1/2", "3", "0.5", "3", "0.50");
        MajorityVote.Group<String> w = MajorityVote
                .winner(answers, (a, b) -> value(a) == value(b)).orElseThrow();
        assertEquals("1/2", w.representative());
        assertEquals(List.of(0, 2, 4), w.members());
        assertEquals(3, w.votes());
    }

    @Test
    void winner_tie_goesToTheEarliest() {
        MajorityVote.Group<String> w = MajorityVote.winner(List.of("b", "a", "a", "b"), String::equals).orElseThrow();
        assertEquals("b", w.representative());
        assertEquals(0, w.firstIndex());
    }

    @Test
    void groups_areOrderedByVotes() {
        List<MajorityVote.Group<String>> groups = MajorityVote.groups(List.of("x", "y", "y", "z", "y", "z"), String::equals);
        assertEquals(List.of("y", "z", "x"), groups.stream().map(MajorityVote.Group::representative).toList());
        assertTrue(MajorityVote.winner(List.<String>of(), String::equals).isEmpty());
    }

    private static double value(String s) {
        String[] parts = s.split("/");
        return parts.length == 2 ? Double.parseDouble(parts[0]) / Double.parseDouble(parts[1]) : Double.parseDouble(s);
    }
}
