package ai.redstar.verify.choice;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.time.Duration;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

class ChoiceAnswersPropertiesTest {

    private static final ChoiceAnswers ANSWERS = ChoiceAnswers.standard();
    private static final ChoiceOptions OPTIONS = ChoiceOptions.of("30°", "45^\\circ", "x+1", "\\frac{1}{2}");
    /** Generous: a hang detector, not a speed check (grading takes microseconds). */
    private static final Duration HANG = Duration.ofSeconds(10);

    @Provide
    Arbitrary<String> responses() {
        Arbitrary<String> pieces = Arbitraries.of("\\boxed{", "{", "}", "(", ")", "A", "B", "C", "AC", " or ", " and ",
                ", ", "the answer is ", "Answer:", "<think>", "</think>", "\\text{", "$", "**", "\n", " ", ".", "a",
                "I", "option ", " is correct", "答案是", "45^\\circ", "°", "\\", "Ｂ", "（", "）", "x+1");
        Arbitrary<String> structured = pieces.list().ofMaxSize(60).map(l -> String.join("", l));
        return Arbitraries.oneOf(structured, Arbitraries.strings().ofMaxLength(300),
                Arbitraries.strings().withChars("AB(){}\\ ,.or").ofMaxLength(2000));
    }

    @Property(tries = 400)
    void grade_anyText_neverThrowsNorHangs(@ForAll("responses") String response) {
        ChoiceResult plain = assertTimeoutPreemptively(HANG, () -> ANSWERS.grade(response, "B"));
        ChoiceResult withOptions = assertTimeoutPreemptively(HANG, () -> ANSWERS.grade(response, "AC", OPTIONS));
        for (ChoiceResult r : List.of(plain, withOptions)) {
            assertNotNull(r.detail());
            assertEquals(r.correct(), r.reason() == ChoiceResult.Reason.MATCHED);
            assertEquals(r.extracted().isEmpty(), r.reason() != ChoiceResult.Reason.MATCHED
                    && r.reason() != ChoiceResult.Reason.MISMATCHED);
        }
    }

    @Property(tries = 200)
    void grade_textInsideThinkOnly_isNeverCorrect(@ForAll("responses") String thinking) {
        String response = "<think>" + thinking.replace("</think>", "") + " the answer is B</think>";
        assertFalse(ANSWERS.grade(response, "B").correct());
    }

    @Property(tries = 200)
    void parseOptions_anyText_throwsOnlyIllegalArgument(@ForAll("responses") String text) {
        try {
            ChoiceOptions o = assertTimeoutPreemptively(HANG, () -> ChoiceOptions.parse(text));
            assertFalse(o.texts().isEmpty());
        } catch (IllegalArgumentException expected) {
            // not a list of options: reported, not crashed
        }
    }

    @Property(tries = 100)
    void grade_longAdversarialText_finishes(@ForAll("responses") String piece) {
        String response = piece.repeat(Math.max(1, 20_000 / Math.max(1, piece.length())));
        assertTimeoutPreemptively(HANG, () -> ANSWERS.grade(response, "A", OPTIONS));
    }
}
