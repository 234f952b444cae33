package ai.redstar.verify.choice;

import static ai.redstar.verify.choice.ChoiceResult.Reason.AMBIGUOUS;
import static ai.redstar.verify.choice.ChoiceResult.Reason.MATCHED;
import static ai.redstar.verify.choice.ChoiceResult.Reason.MISMATCHED;
import static ai.redstar.verify.choice.ChoiceResult.Reason.NOT_AN_OPTION;
import static ai.redstar.verify.choice.ChoiceResult.Reason.NO_ANSWER;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.redstar.verify.choice.ChoiceResult.Reason;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ChoiceAnswersTest {

    private static final ChoiceAnswers ANSWERS = ChoiceAnswers.standard();
    private static final ChoiceOptions GEO = ChoiceOptions.parse("A:30° B:40° C:45° D:60°");

    static Stream<Arguments> letterCases() {
        return Stream.of(
                // response, gold, expected reason, expected extracted
                Arguments.of("B", "B", MATCHED, "B"),
                Arguments.of("(B)", "B", MATCHED, "B"),
                Arguments.of("B.", "B", MATCHED, "B"),
                Arguments.of("B)", "B", MATCHED, "B"),
                Arguments.of("\\boxed{B}", "B", MATCHED, "B"),
                Arguments.of("So we get $\\boxed{(B)}$.", "B", MATCHED, "B"),
                Arguments.of("\\boxed{\\text{(B)}}", "B", MATCHED, "B"),
                Arguments.of("\\boxed{\\textbf{B}}", "B", MATCHED, "B"),
                Arguments.of("The final answer is \\textbf{B}.", "B", MATCHED, "B"),
                Arguments.of("Answer: B", "B", MATCHED, "B"),
                Arguments.of("**Answer:** B", "B", MATCHED, "B"),
                Arguments.of("The answer is (B).", "B", MATCHED, "B"),
                Arguments.of("After checking each option, the correct option is B", "B", MATCHED, "B"),
                Arguments.of("Thus the best choice is option C.", "C", MATCHED, "C"),
                Arguments.of("The answer is (b).", "B", MATCHED, "B"),
                Arguments.of("\\boxed{b}", "B", MATCHED, "B"),
                Arguments.of("I choose D because the angles add up.", "D", MATCHED, "D"),
                Arguments.of("答案是 C", "C", MATCHED, "C"),
                Arguments.of("故选：D", "D", MATCHED, "D"),
                Arguments.of("Option C is correct.", "C", MATCHED, "C"),
                Arguments.of("Therefore, (D) is the answer", "D", MATCHED, "D"),
                Arguments.of("The answer is G.", "G", MATCHED, "G"),
                Arguments.of("The answer is Ｂ", "B", MATCHED, "B"),
                Arguments.of("Let me check.\n\nB) 45°", "B", MATCHED, "B"),
                Arguments.of("Reasoning...\n(C) 45°\n", "C", MATCHED, "C"),
                // later answers override earlier ones
                Arguments.of("At first I thought the answer is A. Wait, no: the answer is C.", "C", MATCHED, "C"),
                Arguments.of("The answer is A.\n\n\\boxed{C}", "C", MATCHED, "C"),
                Arguments.of("The answer is D.\n\n\\boxed{A}", "A", MATCHED, "A"),
                Arguments.of("\\boxed{C}. Note that option A is correct only if x > 0.", "C", MATCHED, "C"),
                Arguments.of("So \\boxed{42}, and the answer is B", "B", NO_ANSWER, ""),
                Arguments.of("Answer: (A) and (C)", "AC", MATCHED, "AC"),
                Arguments.of("The answer is: (C) 45°", "C", MATCHED, "C"),
                Arguments.of("Answer: C\n\nExplanation: A is wrong because it is obtuse.", "C", MATCHED, "C"),
                Arguments.of("$\\boxed{\\mathrm{(D)}}$", "D", MATCHED, "D"),
                Arguments.of("Final Answer: C", "C", MATCHED, "C"),
                Arguments.of("**B**", "B", MATCHED, "B"),
                Arguments.of("The answer is B for sure", "B", MATCHED, "B"),
                Arguments.of("The answer is not obvious. Checking... The answer is B", "B", MATCHED, "B"),
                // thinking is ignored
                Arguments.of("<think>the answer is A</think>The answer is B", "B", MATCHED, "B"),
                Arguments.of("<think>the answer is A</think>The answer is B", "A", MISMATCHED, "B"),
                Arguments.of("<think>the answer is A, probably", "A", NO_ANSWER, ""),
                // multi-select as sets
                Arguments.of("The answer is AC", "AC", MATCHED, "AC"),
                Arguments.of("The answer is CA", "AC", MATCHED, "AC"),
                Arguments.of("The answers are A, C.", "CA", MATCHED, "AC"),
                Arguments.of("The answer is A and C.", "A, C", MATCHED, "AC"),
                Arguments.of("\\boxed{A, C}", "AC", MATCHED, "AC"),
                Arguments.of("\\boxed{AC}", "A", MISMATCHED, "AC"),
                Arguments.of("The answer is A.", "AC", MISMATCHED, "A"),
                // subtly wrong
                Arguments.of("The answer is (C).", "B", MISMATCHED, "C"),
                Arguments.of("\\boxed{D}", "B", MISMATCHED, "D"),
                Arguments.of("Answer: A", "B", MISMATCHED, "A"),
                // not confident
                Arguments.of("The answer is A or B.", "A", AMBIGUOUS, ""),
                Arguments.of("It is either A or B", "A", AMBIGUOUS, ""),
                Arguments.of("\\boxed{A or B}", "B", AMBIGUOUS, ""),
                Arguments.of("The answer is A, or possibly C.", "A", AMBIGUOUS, ""),
                Arguments.of("The answer is A/B", "A", AMBIGUOUS, ""),
                Arguments.of("The correct answer is C. 45°.", "C", MATCHED, "C"),
                Arguments.of("Answer:\n\nC", "C", MATCHED, "C"),
                Arguments.of("The answer is $(C)$", "C", MATCHED, "C"),
                // no answer, and no false positives from words
                Arguments.of("A triangle has three sides.", "A", NO_ANSWER, ""),
                Arguments.of("I think this is hard.", "I", NO_ANSWER, ""),
                Arguments.of("The answer is a bit tricky.", "A", NO_ANSWER, ""),
                Arguments.of("Answer: Ahmed's method fails.", "A", NO_ANSWER, ""),
                Arguments.of("We compute 3+4=7, e.g. by counting.", "E", NO_ANSWER, ""),
                Arguments.of("The answer is 42", "B", NO_ANSWER, ""),
                Arguments.of("\\boxed{42}", "B", NO_ANSWER, ""),
                Arguments.of("", "B", NO_ANSWER, ""),
                Arguments.of("The answer is A's complement", "A", NO_ANSWER, ""));
    }

    @ParameterizedTest
    @MethodSource("letterCases")
    void grade_withoutOptions_matchesTable(String response, String gold, Reason reason, String extracted) {
        ChoiceResult r = ANSWERS.grade(response, gold);
        assertEquals(reason, r.reason(), () -> "response " + response + ": " + r.detail());
        assertEquals(extracted, r.extracted(), r::detail);
        assertEquals(reason == MATCHED, r.correct());
    }

    static Stream<Arguments> optionCases() {
        return Stream.of(
                Arguments.of("\\boxed{45^\\circ}", "C", MATCHED, "C"),
                Arguments.of("\\boxed{45^{\\circ}}", "C", MATCHED, "C"),
                Arguments.of("The answer is 45°.", "C", MATCHED, "C"),
                Arguments.of("So the angle is\n45°", "C", MATCHED, "C"),
                Arguments.of("\\boxed{60}", "D", MATCHED, "D"),
                Arguments.of("\\boxed{45^\\circ}", "B", MISMATCHED, "C"),
                Arguments.of("\\boxed{50^\\circ}", "C", NOT_AN_OPTION, ""),
                Arguments.of("The answer is (E).", "C", NOT_AN_OPTION, ""),
                Arguments.of("\\boxed{C}", "C", MATCHED, "C"),
                Arguments.of("The answer is C: 45°", "C", MATCHED, "C"),
                Arguments.of("Answer: 45", "C", MATCHED, "C"),
                Arguments.of("\\boxed{45^\\circ} and the answer is C", "C", MATCHED, "C"));
    }

    @ParameterizedTest
    @MethodSource("optionCases")
    void grade_withGeoQaOptions_matchesTable(String response, String gold, Reason reason, String extracted) {
        ChoiceResult r = ANSWERS.grade(response, gold, GEO);
        assertEquals(reason, r.reason(), () -> "response " + response + ": " + r.detail());
        assertEquals(extracted, r.extracted(), r::detail);
    }

    @Test
    void grade_textFittingTwoOptions_isAmbiguous() {
        ChoiceOptions twins = ChoiceOptions.of("x + 1", "x+1", "2x");
        ChoiceResult r = ANSWERS.grade("\\boxed{x+1}", "A", twins);
        assertEquals(AMBIGUOUS, r.reason(), r.detail());
        assertFalse(r.correct());
    }

    @Test
    void grade_goldGivenAsOptionText_isResolved() {
        assertTrue(ANSWERS.grade("(C)", "45^\\circ", GEO).correct());
    }

    @Test
    void grade_goldOutsideOptions_throwsNamingIt() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ANSWERS.grade("B", "F", GEO));
        assertTrue(e.getMessage().contains("'F'"), e.getMessage());
    }

    @Test
    void grade_goldNotALetter_throwsNamingIt() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ANSWERS.grade("B", "42"));
        assertTrue(e.getMessage().contains("'42'"), e.getMessage());
    }

    @Test
    void parseGold_acceptsListForms() {
        assertEquals("AC", ChoiceAnswers.parseGold("['C', 'A']", null));
        assertEquals("B", ChoiceAnswers.parseGold("(b)", null));
        assertEquals("ABD", ChoiceAnswers.parseGold("A, B and D", null));
    }

    @Test
    void grade_thinkingNotIgnored_readsInsideThink() {
        ChoiceAnswers reader = ChoiceAnswers.builder().ignoreThinking(false).build();
        assertTrue(reader.grade("<think>so the answer is B", "B").correct());
    }

    @Test
    void builder_propertySetTwice_throws() {
        assertThrows(IllegalStateException.class,
                () -> ChoiceAnswers.builder().ignoreThinking(true).ignoreThinking(false));
    }

    @Test
    void options_parseForms_giveTexts() {
        assertEquals(List.of("30°", "45°", "60°", "75°"), ChoiceOptions.parse("A:30° B:45° C:60° D:75°").texts());
        assertEquals(List.of("30", "45", "60"), ChoiceOptions.parse("Choices: (A) 30 (B) 45 (C) 60").texts());
        assertEquals(List.of("1.5 cm", "2 cm"), ChoiceOptions.parse("A. 1.5 cm\nB. 2 cm").texts());
        assertEquals(List.of("x", "y"), ChoiceOptions.parse("A) x; B) y").texts());
        assertEquals(List.of("北", "南"), ChoiceOptions.parse("A：北 B：南").texts());
    }

    @Test
    void options_parseWithoutMarkers_throws() {
        assertThrows(IllegalArgumentException.class, () -> ChoiceOptions.parse("no options here"));
        assertThrows(IllegalArgumentException.class, () -> ChoiceOptions.of(List.of("only one")));
    }
}
