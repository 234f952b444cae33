package ai.redstar.core.generate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class StopStringMatcherTest {
    /** Token i decodes to VOCAB[i]. */
    private static final String[] VOCAB = {"a", "b", "</", "ans", "wer>", " ", "x", "\n\n", "</answer>"};
    private static final TokenDecoder DECODER =
            ids -> IntStream.of(ids).mapToObj(i -> VOCAB[i]).collect(Collectors.joining());

    @Test
    void find_stopStringSpanningThreeTokens_matchesAndCutsBefore() {
        StopStringMatcher m = new StopStringMatcher(List.of("</answer>"), DECODER);
        int[] ids = {0, 1, 5, 2, 3, 4, 6};
        assertNull(m.find(ids, 5), "only '</ans' so far");
        StopStringMatcher.Match match = m.find(ids, 6);
        assertEquals("</answer>", match.stopString());
        assertEquals("ab ", match.textBefore());
    }

    @Test
    void find_matchFarBehindALongCompletion_cutsAtTheRightPlace() {
        StopStringMatcher m = new StopStringMatcher(List.of("\n\n"), DECODER);
        int[] ids = new int[300];
        for (int i = 0; i < 299; i++) {
            ids[i] = i % 2;
        }
        ids[299] = 7;
        assertNull(m.find(ids, 299));
        StopStringMatcher.Match match = m.find(ids, 300);
        assertEquals(299, match.textBefore().length());
    }

    @Test
    void find_twoStopStrings_earliestWins() {
        StopStringMatcher m = new StopStringMatcher(List.of("x", "b"), DECODER);
        StopStringMatcher.Match match = m.find(new int[] {0, 1, 6}, 3);
        assertEquals("b", match.stopString());
        assertEquals("a", match.textBefore());
    }

    @Test
    void find_windowArtefactNotInWholeText_isIgnored() {
        // A decoder whose slices can show text the whole completion does not have (like SentencePiece dropping
        // a leading space only at the start of a slice).
        TokenDecoder odd = ids -> ids.length <= 20 ? "STOP" : "no match here"; // the window is 4 * 4 + 4 = 20 tokens
        StopStringMatcher m = new StopStringMatcher(List.of("STOP"), odd);
        int[] ids = new int[40];
        assertNull(m.find(ids, 40));
        assertNotEquals(null, m.find(ids, 5), "a short completion is decoded whole");
    }
}
