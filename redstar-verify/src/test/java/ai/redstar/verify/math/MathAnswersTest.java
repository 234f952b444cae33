package ai.redstar.verify.math;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Extraction from responses, the options, the builder and hostile input. */
class MathAnswersTest {

    private static final MathAnswers MATH = MathAnswers.defaults();
    private static final Duration SECOND = Duration.ofSeconds(1);

    private static Outcome grade(MathAnswers math, String response, String gold) {
        return math.grade(response, gold, SECOND).outcome();
    }

    // ---------------------------------------------------------------- extraction

    @Test
    void extract_lastBoxedWithNestedBraces_isTheAnswer() {
        Extraction e = MATH.extract("First \\boxed{1}, then finally $\\boxed{\\frac{\\sqrt{2}}{\\left(2\\right)}}$.");
        assertEquals(Extraction.Source.BOXED, e.source());
        assertEquals("\\frac{\\sqrt{2}}{\\left(2\\right)}", e.answer().orElseThrow());
    }

    @Test
    void extract_fboxAndSpaceForm_areBoxes() {
        assertEquals("7", MATH.extract("so \\fbox{7}").answer().orElseThrow());
        assertEquals("42", MATH.extract("answer: \\boxed 42 $").answer().orElseThrow());
    }

    @Test
    void extract_unclosedLastBox_fallsBackToTheLastCompleteOne() {
        assertEquals("3", MATH.extract("\\boxed{3} and then \\boxed{4").answer().orElseThrow());
    }

    @Test
    void extract_boxInsideThinking_isIgnored() {
        Extraction e = MATH.extract("<think>maybe \\boxed{5}</think> The answer is \\boxed{7}.");
        assertEquals("7", e.answer().orElseThrow());
    }

    @Test
    void extract_unfinishedThinking_hasNoAnswer() {
        Extraction e = MATH.extract("<think>maybe \\boxed{5} and still thinking");
        assertEquals(Extraction.Source.UNFINISHED_THINKING, e.source());
        assertEquals(Outcome.UNFINISHED_THINKING, grade(MATH, "<think>\\boxed{5}", "5"));
    }

    @Test
    void extract_keepThinking_searchesTheWholeResponse() {
        MathAnswers keep = MathAnswers.builder().thinking(ThinkingPolicy.KEEP).build();
        assertEquals("5", keep.extract("<think>so \\boxed{5}").answer().orElseThrow());
    }

    @Test
    void extract_finalAnswerPhrase_takesItsSentence() {
        Extraction e = MATH.extract("Work...\nFinal Answer: The final answer is $28 \\%$. I hope it is correct.");
        assertEquals(Extraction.Source.PHRASE, e.source());
        assertEquals("$28 \\%$", e.answer().orElseThrow());
        assertEquals(Outcome.SAME_FORM, grade(MATH, "The final answer is $28 \\%$. I hope it is correct.", "28\\%"));
    }

    @Test
    void extract_answerLabel_keepsDecimalPoints() {
        assertEquals("3.75", MATH.extract("blah\nAnswer: 3.75.\n").answer().orElseThrow());
    }

    @Test
    void extract_emptyBoxEchoedFromThePrompt_isSkipped() {
        Extraction e = MATH.extract("Put your final answer within \\boxed{}.\nThe answer is 12.");
        assertEquals("12", e.answer().orElseThrow());
    }

    @Test
    void extract_markdownFinalAnswer_readsTheNextLine() {
        assertEquals("$42$", MATH.extract("work...\n**Final Answer**\n\n$42$\n").answer().orElseThrow());
        assertEquals("5", MATH.extract("so\nAnswer: **5**").answer().orElseThrow());
    }

    @Test
    void extract_noAnswerAndNoFallback_isNoAnswer() {
        assertEquals(Outcome.NO_ANSWER, grade(MATH, "I computed 2 + 2 = 4", "4"));
    }

    @Test
    void extract_lastNumberFallback_takesTheLastNumber() {
        MathAnswers fallback = MathAnswers.builder().lastNumberFallback(true).build();
        assertEquals("-1,250.5", fallback.extract("first 3, then the total is -1,250.5 dollars").answer().orElseThrow());
        assertTrue(grade(fallback, "so P(A) = 2/3 therefore", "\\frac23").equal());
    }

    @Test
    void extract_megabyteResponse_findsTheFinalBox() {
        String response = "step 1 + 2 = 3. ".repeat(70_000) + "\\boxed{42}";
        assertEquals(Outcome.SAME_FORM, grade(MATH, response, "42"));
    }

    @Test
    void extract_hundredThousandUnclosedBoxes_hasNoAnswer() {
        assertEquals(Outcome.NO_ANSWER, grade(MATH, "\\boxed{".repeat(100_000), "1"));
    }

    @Test
    void grade_goldWithBox_usesItsContent() {
        assertTrue(grade(MATH, "so \\boxed{0.5}", "The answer is $\\boxed{\\frac{1}{2}}$").equal());
    }

    @Test
    void grade_allBoxesMustAgree_rejectsDisagreement() {
        MathAnswers strict = MathAnswers.builder().boxed(BoxedPolicy.ALL_MUST_AGREE).build();
        assertEquals(Outcome.BOXED_DISAGREE, grade(strict, "\\boxed{3} no wait \\boxed{4}", "4"));
        assertTrue(grade(strict, "\\boxed{0.5} that is \\boxed{\\frac12}", "1/2").equal());
        assertTrue(grade(MATH, "\\boxed{3} no wait \\boxed{4}", "4").equal());
    }

    // ---------------------------------------------------------------- options

    @Test
    void percent_fractionPolicy_rejectsTheBareNumber() {
        MathAnswers fraction = MathAnswers.builder().percent(PercentPolicy.FRACTION).build();
        assertFalse(fraction.equivalent("28\\%", "28"));
        assertTrue(fraction.equivalent("28\\%", "0.28"));
    }

    @Test
    void percent_numberPolicy_rejectsTheFraction() {
        MathAnswers number = MathAnswers.builder().percent(PercentPolicy.NUMBER).build();
        assertTrue(number.equivalent("28\\%", "28"));
        assertFalse(number.equivalent("28\\%", "0.28"));
    }

    @Test
    void units_matchIfBothGiven_comparesUnitsOnlyWhenBothHaveThem() {
        MathAnswers math = MathAnswers.builder().units(UnitPolicy.MATCH_IF_BOTH_GIVEN).build();
        assertEquals(Outcome.DIFFERENT_UNITS, math.compare("5 cm", "5 \\text{ m}", SECOND).outcome());
        assertTrue(math.equivalent("5 cm", "5 \\text{centimeters}"));
        assertTrue(math.equivalent("5 cm", "5"));
    }

    @Test
    void units_requireSame_rejectsAMissingUnit() {
        MathAnswers math = MathAnswers.builder().units(UnitPolicy.REQUIRE_SAME).build();
        assertEquals(Outcome.DIFFERENT_UNITS, math.compare("5 cm", "5", SECOND).outcome());
        assertTrue(math.equivalent("\\$5", "5 dollars"));
    }

    @Test
    void tolerance_looser_acceptsAShorterDecimal() {
        MathAnswers loose = MathAnswers.builder().relativeTolerance(1e-3).build();
        assertTrue(loose.equivalent("0.3333", "1/3"));
        assertFalse(MATH.equivalent("0.3333", "1/3"));
        assertFalse(loose.equivalent("\\frac{1}{2^{99}}", "\\frac{1}{2^{98}}"));
    }

    @Test
    void builder_invalidAndRepeatedSettings_reportsEveryProblem() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MathAnswers.builder()
                .relativeTolerance(0.5).relativeTolerance(0.1).maxAnswerLength(3).build());
        assertTrue(e.getMessage().contains("relativeTolerance was set twice"), e.getMessage());
        assertTrue(e.getMessage().contains("[0, 0.01]"), e.getMessage());
        assertTrue(e.getMessage().contains("maxAnswerLength must be at least 16, was 3"), e.getMessage());
    }

    @Test
    void toBuilder_keepsEverySetting() {
        MathAnswers math = MathAnswers.builder().relativeTolerance(1e-4).percent(PercentPolicy.NUMBER)
                .units(UnitPolicy.REQUIRE_SAME).boxed(BoxedPolicy.ALL_MUST_AGREE).lastNumberFallback(true).build();
        MathAnswers copy = math.toBuilder().build();
        assertEquals(1e-4, copy.relativeTolerance());
        assertEquals(PercentPolicy.NUMBER, copy.percent());
        assertEquals(UnitPolicy.REQUIRE_SAME, copy.units());
        assertEquals(BoxedPolicy.ALL_MUST_AGREE, copy.boxed());
        assertTrue(copy.lastNumberFallback());
    }

    // ---------------------------------------------------------------- normalisation

    @Test
    void normalize_latexVariants_giveOneForm() {
        String expected = MATH.normalize("\\frac{1}{2}");
        for (String variant : List.of("\\dfrac{1}{2}", "\\tfrac12", "\\left(\\frac{1}{2}\\right)", "$\\frac 1 2$",
                "\\displaystyle\\frac{1}{2}", "{\\frac{1}{2}}", "½")) {
            assertEquals(expected, MATH.normalize(variant), variant);
        }
    }

    @Test
    void normalize_boxedAnswer_isItsContent() {
        assertEquals("1", MATH.normalize("0\\boxed{1}"));
        assertTrue(MATH.compare("0\\boxed{1}", MATH.normalize("0\\boxed{1}"), SECOND).outcome().equal());
    }

    @Test
    void normalize_unitsAndSpacing_areDropped() {
        assertEquals("1000", MATH.normalize("1,000 \\text{ cm}"));
        assertEquals("90^\\circ", MATH.normalize("90°"));
    }

    // ---------------------------------------------------------------- hostile input

    @Test
    void hostile_thousandsOfNestedBrackets_isTooDeep() {
        assertEquals(Outcome.TOO_DEEP, MATH.compare("(".repeat(1900) + "1" + ")".repeat(1900), "1", SECOND).outcome());
        assertEquals(Outcome.TOO_DEEP, MATH.compare("3" + "!".repeat(1000), "6", SECOND).outcome());
        assertEquals(Outcome.TOO_DEEP, MATH.compare("-".repeat(3000) + "1", "1", SECOND).outcome());
    }

    @Test
    void hostile_hugePowers_areUndecidedNeverEqual() {
        assertEquals(Outcome.TOO_LARGE, MATH.compare("10^{10^{10}}", "10^{10^{10}}+1", SECOND).outcome());
        assertEquals(Outcome.TOO_LARGE, MATH.compare("9^{9^{9}}", "9^{9^{9}} - 1", SECOND).outcome());
        assertEquals(Outcome.TOO_LARGE, MATH.compare("1e-999999", "0", SECOND).outcome());
    }

    @Test
    void hostile_longAnswer_isTooLarge() {
        assertEquals(Outcome.TOO_LARGE, grade(MATH, "\\boxed{" + "1+".repeat(500_000) + "1}", "1"));
    }

    @Test
    void hostile_hugeList_isTooLarge() {
        assertEquals(Outcome.TOO_LARGE,
                MATH.compare("1, ".repeat(1000) + "1", "1, ".repeat(1000) + "2", SECOND).outcome());
    }

    @Test
    void budget_exhausted_isTimeout() {
        Comparison c = MATH.compare("(x+1)^{20}", "x^{20} + 20x^{19} + 1", Duration.ofNanos(1));
        assertEquals(Outcome.TIMEOUT, c.outcome());
        assertFalse(c.outcome().equal());
    }
}
