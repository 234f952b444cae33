package ai.redstar.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.redstar.verify.choice.ChoiceOptions;
import ai.redstar.verify.code.CodeSandbox;
import ai.redstar.verify.code.CodeTests;
import ai.redstar.verify.code.SandboxAvailability;
import ai.redstar.verify.math.MathAnswers;
import ai.redstar.verify.math.PercentPolicy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RuleVerifierTest {

    private static final RuleVerifier VERIFIER = RuleVerifier.builder().parallelism(4).build();

    @Test
    void verify_mathRight_isCorrectWithReasonAndForms() {
        Verdict v = VERIFIER.verify("We get $x = \\boxed{0.5}$.", Gold.math("\\frac{1}{2}"));
        assertTrue(v.correct());
        assertEquals(Verdict.Status.CORRECT, v.status());
        assertEquals(Reason.EQUAL_EXACT, v.reason());
        assertEquals("0.5", v.answer());
        assertEquals("0.5", v.normalizedAnswer());
        assertEquals("\\frac{1}{2}", v.normalizedGold());
        assertFalse(v.elapsed().isNegative());
    }

    @Test
    void verify_mathWrong_saysWhatDiffers() {
        Verdict v = VERIFIER.verify("\\boxed{(1, 2]}", "[1, 2]");
        assertEquals(Reason.DIFFERENT, v.reason());
        assertEquals(Verdict.Status.WRONG, v.status());
        assertTrue(v.detail().contains("open and closed"), v.detail());
    }

    @Test
    void verify_noAnswer_isNoAnswer() {
        Verdict v = VERIFIER.verify("I am not sure.", "3");
        assertEquals(Verdict.Status.NO_ANSWER, v.status());
        assertFalse(v.correct());
    }

    @Test
    void verify_budgetExhausted_isUndecidedTimeout() {
        RuleVerifier hurried = RuleVerifier.builder().timeBudget(Duration.ofNanos(1)).build();
        Verdict v = hurried.verify("\\boxed{(x+1)^{12}}", "x^{12} + 12x^{11} + 1");
        assertEquals(Reason.TIMEOUT, v.reason());
        assertEquals(Verdict.Status.UNDECIDED, v.status());
        assertFalse(v.correct());
    }

    @Test
    void verify_hugePowers_areUndecidedNotEqual() {
        Verdict v = VERIFIER.verify("\\boxed{10^{10^{10}}}", "10^{10^{10}} + 1");
        assertEquals(Verdict.Status.UNDECIDED, v.status());
    }

    @Test
    void verify_mathOptions_comeFromTheMathGrader() {
        RuleVerifier strictPercent = RuleVerifier.builder()
                .math(MathAnswers.builder().percent(PercentPolicy.FRACTION).build()).build();
        assertFalse(strictPercent.verify("\\boxed{28\\%}", "28").correct());
        assertTrue(VERIFIER.verify("\\boxed{28\\%}", "28").correct());
    }

    @Test
    void verify_choice_matchesLettersAndOptionText() {
        assertEquals(Reason.CHOICE_MATCHED, VERIFIER.verify("So the answer is (B).", Gold.choice("B")).reason());
        assertEquals(Reason.CHOICE_MISMATCHED, VERIFIER.verify("The answer is C", Gold.choice("B")).reason());
        Gold withOptions = Gold.choice("C", ChoiceOptions.parse("A:30° B:40° C:45° D:60°"));
        assertTrue(VERIFIER.verify("\\boxed{45^\\circ}", withOptions).correct());
    }

    @Test
    void verify_malformedChoiceGold_isInvalidGold() {
        Verdict v = VERIFIER.verify("The answer is B", Gold.choice("not a letter at all"));
        assertEquals(Reason.INVALID_GOLD, v.reason());
        assertEquals(Verdict.Status.UNDECIDED, v.status());
    }

    @Test
    void verify_codeWithoutSandbox_isUndecided() {
        CodeSandbox missing = CodeSandbox.builder().bubblewrap(Path.of("/nonexistent/bwrap")).build();
        RuleVerifier verifier = RuleVerifier.builder().code(missing).build();
        CodeTests tests = CodeTests.fromInputOutputJson("{\"inputs\": [\"2\\n\"], \"outputs\": [\"4\\n\"]}");
        Verdict v = verifier.verify("```python\nprint(int(input()) * 2)\n```", Gold.code(tests));
        assertEquals(Reason.SANDBOX_UNAVAILABLE, v.reason());
        assertFalse(v.correct());
    }

    @Test
    void verify_codeInSandbox_passesAndFailsTests() {
        CodeSandbox sandbox = CodeSandbox.builder().timeLimit(Duration.ofSeconds(2)).build();
        SandboxAvailability a = sandbox.availability();
        if (Boolean.getBoolean("redstar.sandbox.optional")) {
            assumeTrue(a.available(), a::detail);
        } else if (!a.available()) {
            fail("the code sandbox is unavailable: " + a.detail());
        }
        RuleVerifier verifier = RuleVerifier.builder().code(sandbox).build();
        CodeTests tests = CodeTests.fromInputOutputJson("{\"inputs\": [\"2\\n\", \"5\\n\"], \"outputs\": [\"4\\n\", \"10\\n\"]}");
        Verdict right = verifier.verify("```python\nprint(int(input()) * 2)\n```", Gold.code(tests));
        assertEquals(Reason.TESTS_PASSED, right.reason(), right.detail());
        Verdict wrong = verifier.verify("```python\nprint(int(input()) + 2)\n```", Gold.code(tests));
        assertEquals(Reason.TESTS_FAILED, wrong.reason());
        assertEquals(Reason.NO_CODE, verifier.verify("no code here", Gold.code(tests)).reason());
    }

    @Test
    void verifyAll_parallel_keepsOrderAndMatchesOneByOne() {
        List<Submission> submissions = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            submissions.add(new Submission("\\boxed{" + i + "/" + (i % 7 + 1) + "}", Gold.math(i % 3 == 0 ? "0" : i + "/" + (i % 7 + 1))));
        }
        submissions.add(new Submission("The answer is (A)", Gold.choice("A")));
        List<Verdict> parallel = VERIFIER.verifyAll(submissions);
        assertEquals(submissions.size(), parallel.size());
        for (int i = 0; i < submissions.size(); i++) {
            Verdict alone = VERIFIER.verify(submissions.get(i).response(), submissions.get(i).gold());
            assertEquals(alone.reason(), parallel.get(i).reason(), "submission " + i);
            assertEquals(alone.answer(), parallel.get(i).answer(), "submission " + i);
        }
    }

    @Test
    void majority_groupsEquivalentAnswers() {
        List<String> responses = List.of("\\boxed{\\frac12}", "\\boxed{3}", "so \\boxed{0.5}", "no idea",
                "\\boxed{1/2}", "\\boxed{3.0}");
        MajorityVerdict m = VERIFIER.majority(responses, Gold.math("0.5"));
        assertTrue(m.verdict().correct());
        assertEquals(3, m.votes());
        assertEquals(5, m.voters());
        assertEquals(6, m.samples());
        MajorityVerdict none = VERIFIER.majority(List.of("hmm", "no"), Gold.math("1"));
        assertEquals(Reason.NO_ANSWER, none.verdict().reason());
        assertEquals(0, none.voters());
    }

    @Test
    void majority_choices_voteOnLetters() {
        MajorityVerdict m = VERIFIER.majority(List.of("Answer: B", "Answer: C", "(C)", "The answer is B", "C"),
                Gold.choice("C"));
        assertTrue(m.verdict().correct());
        assertEquals(3, m.votes());
    }

    @Test
    void majority_codeGold_isRejected() {
        CodeTests tests = CodeTests.fromInputOutputJson("{\"inputs\": [\"1\\n\"], \"outputs\": [\"1\\n\"]}");
        assertThrows(IllegalArgumentException.class, () -> VERIFIER.majority(List.of("x"), Gold.code(tests)));
    }

    @Test
    void builder_invalidAndRepeatedSettings_reportsEveryProblem() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RuleVerifier.builder()
                .timeBudget(Duration.ZERO).parallelism(0).parallelism(2).build());
        assertTrue(e.getMessage().contains("timeBudget must be in (0, 1 h], was PT0S"), e.getMessage());
        assertTrue(e.getMessage().contains("parallelism was set twice"), e.getMessage());
    }
}
